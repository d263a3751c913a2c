import type { Socket } from 'socket.io';
import { ErrorBody } from '../common/errors/error-code';
import { ShutdownState } from '../health/shutdown.state';

type Next = (error?: Error) => void;

/**
 * Socket.IO middleware that rejects handshakes once this instance is shutting down, so the
 * client connects to another instance instead. The client sees `connect_error` with message
 * SERVICE_UNAVAILABLE and the error body in `data`.
 */
export function shutdownMiddleware(shutdown: ShutdownState) {
  return (_socket: Socket, next: Next) => {
    if (!shutdown.isShuttingDown) {
      next();
      return;
    }
    const body: ErrorBody = {
      code: 503,
      error: 'SERVICE_UNAVAILABLE',
      message: 'The server is shutting down; connect to another instance',
      retryAfterMs: 1000,
    };
    next(Object.assign(new Error('SERVICE_UNAVAILABLE'), { data: body }));
  };
}
