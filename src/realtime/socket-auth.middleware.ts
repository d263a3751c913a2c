import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import { TokenService } from '../auth/token.service';
import { toErrorBody } from '../common/errors/to-error-body';

type Next = (error?: Error) => void;

const logger = new Logger('SocketAuth');

/** Read the access token from `auth.token`, the `token` query parameter or an `Authorization: Bearer` header. */
export function tokenOf(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;

  const fromQuery = socket.handshake.query.token;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;

  const header = socket.handshake.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return undefined;
}

/**
 * Socket.IO middleware that authenticates the handshake before the connection exists, so a
 * socket with a bad token or an ended session never joins a room or receives an event. The
 * client sees `connect_error` whose message is the error name (UNAUTHORIZED, or
 * SERVICE_UNAVAILABLE when the session lookup fails) and whose `data` is the error body.
 */
export function socketAuthMiddleware(tokens: TokenService) {
  return (socket: Socket, next: Next) => {
    tokens.authenticate(tokenOf(socket)).then(
      (principal) => {
        socket.data.principal = principal;
        next();
      },
      (error: unknown) => {
        const body = toErrorBody(error, randomUUID(), logger);
        next(Object.assign(new Error(body.error), { data: body }));
      },
    );
  };
}
