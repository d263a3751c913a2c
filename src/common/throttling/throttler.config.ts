import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModuleOptions } from '@nestjs/throttler';
import { Environment } from '../../config/environment';
import { AUTH_ATTEMPT, MESSAGE_SEND } from './throttle.decorators';
import { addressOf, principalOf, ThrottledRequest } from './user-throttler.guard';

const marked = (key: string) => (context: ExecutionContext) =>
  Reflect.getMetadata(key, context.getHandler()) === true || Reflect.getMetadata(key, context.getClass()) === true;

/**
 * Three named throttlers: `messages` (per user, on message sends over REST and the socket),
 * `auth` (per client address, on register and login) and `default` (every REST route, per
 * user or per address when anonymous).
 */
export function throttlerOptions(
  env: Pick<Environment, 'MESSAGE_RATE_LIMIT' | 'MESSAGE_RATE_WINDOW_MS' | 'HTTP_RATE_LIMIT' | 'AUTH_RATE_LIMIT'>,
): ThrottlerModuleOptions {
  const isMessageSend = marked(MESSAGE_SEND);
  const isAuthAttempt = marked(AUTH_ATTEMPT);

  return {
    throttlers: [
      {
        name: 'messages',
        limit: env.MESSAGE_RATE_LIMIT,
        ttl: env.MESSAGE_RATE_WINDOW_MS,
        skipIf: (context) => !isMessageSend(context),
        getTracker: (req) => principalOf(req as ThrottledRequest)?.userId ?? addressOf(req as ThrottledRequest),
      },
      {
        name: 'auth',
        limit: env.AUTH_RATE_LIMIT,
        ttl: 60_000,
        skipIf: (context) => !isAuthAttempt(context),
        getTracker: (req) => addressOf(req as ThrottledRequest),
      },
      {
        name: 'default',
        limit: env.HTTP_RATE_LIMIT,
        ttl: 60_000,
        skipIf: (context) => context.getType() !== 'http',
        getTracker: (req) => principalOf(req as ThrottledRequest)?.userId ?? addressOf(req as ThrottledRequest),
      },
    ],
  };
}
