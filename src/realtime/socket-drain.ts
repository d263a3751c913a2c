import type { Server, Socket } from 'socket.io';
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
      message: 'The server is shutting down. Connect to another instance',
      retryAfterMs: 1000,
    };
    next(Object.assign(new Error('SERVICE_UNAVAILABLE'), { data: body }));
  };
}

/** How long closing the transports waits for pending packets (acks included) to be written. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Close the transport of every socket on this instance once its pending packets are written.
 * Closing the transport instead of sending a Socket.IO disconnect makes clients see
 * "transport close" and reconnect by themselves, through the load balancer to another instance.
 */
export async function closeTransports(server: Server): Promise<void> {
  const closed = [...server.of('/').sockets.values()].map(
    (socket) =>
      new Promise<void>((resolve) => {
        if (socket.conn.readyState === 'closed') {
          resolve();
          return;
        }
        socket.conn.once('close', () => resolve());
        socket.conn.close();
      }),
  );
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
  await Promise.race([Promise.all(closed), timeout]);
}
