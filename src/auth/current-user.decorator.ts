import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Principal } from './token.service';

/** The authenticated caller of a REST route. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().user;
});
