import { ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/** ParseUUIDPipe that names the parameter in a VALIDATION_FAILED error. */
export function uuidPipe(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new AppError('VALIDATION_FAILED', `${name} must be a UUID`, [{ field: name, constraints: [`${name} must be a UUID`] }]),
  });
}
