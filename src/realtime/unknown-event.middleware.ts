import type { Socket } from 'socket.io';
import { ErrorBody } from '../common/errors/error-code';
import { rejectPacket } from './ack';

/**
 * Per-socket middleware that rejects an event no handler subscribes to with NOT_FOUND through
 * its ack. Without it the client's ack callback is never called and the client waits for
 * its own timeout.
 */
export function unknownEventMiddleware(socket: Socket, knownEvents: ReadonlySet<string>) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    const event = packet[0];
    if (typeof event === 'string' && knownEvents.has(event)) return next();

    const error: ErrorBody = {
      code: 404,
      error: 'NOT_FOUND',
      message: `Unknown event ${JSON.stringify(String(event)).slice(0, 100)}; /docs/socket lists the events this server handles`,
    };
    rejectPacket(socket, packet, error);
  };
}
