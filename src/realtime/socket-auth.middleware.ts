import type { Socket } from 'socket.io';
import { AppError } from '../common/errors/app-error';
import { TokenService } from '../auth/token.service';

type Next = (error?: Error) => void;

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
 * socket with a bad token never joins a room or receives an event. The client sees
 * `connect_error` with message UNAUTHORIZED and the error body in `data`.
 */
export function socketAuthMiddleware(tokens: TokenService) {
  return (socket: Socket, next: Next) => {
    try {
      socket.data.principal = tokens.authenticate(tokenOf(socket));
      next();
    } catch (error) {
      const body = error instanceof AppError ? error.toBody() : { code: 401, error: 'UNAUTHORIZED', message: 'Authentication failed' };
      next(Object.assign(new Error('UNAUTHORIZED'), { data: body }));
    }
  };
}
