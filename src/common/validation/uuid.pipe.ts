import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

const lowerCase = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);

/**
 * class-transformer step for UUID fields (single or `each`). PostgreSQL prints UUIDs in lower
 * case, and ids are also compared as strings (direct-conversation keys, self-sends), so a
 * client's upper-case spelling must not count as another id.
 */
export const lowerCaseUuid = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map(lowerCase) : lowerCase(value));

/** ParseUUIDPipe that names the parameter in a VALIDATION_FAILED error and lower-cases the id. */
class LowerCaseUuidPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata) {
    const parsed = await super.transform(value, metadata);
    return typeof parsed === 'string' ? parsed.toLowerCase() : parsed;
  }
}

export function uuidPipe(name: string): ParseUUIDPipe {
  return new LowerCaseUuidPipe({
    exceptionFactory: () =>
      new AppError('VALIDATION_FAILED', `${name} must be a UUID`, [{ field: name, constraints: [`${name} must be a UUID`] }]),
  });
}
