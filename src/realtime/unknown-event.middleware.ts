import type { Socket } from 'socket.io';
import { ErrorBody } from '../common/errors/error-code';

const MAX_NAME_IN_MESSAGE = 64;

/**
 * Per-socket middleware that answers an event no handler subscribes to with NOT_FOUND, through
 * its ack when it has one, so a client waiting on an ack for a mistyped event fails at once
 * instead of timing out.
 */
export function unknownEventMiddleware(socket: Socket, handledEvents: ReadonlySet<string>) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    const event = String(packet[0]);
    if (handledEvents.has(event)) return next();

    const error: ErrorBody = {
      code: 404,
      error: 'NOT_FOUND',
      message: `Unknown event "${event.slice(0, MAX_NAME_IN_MESSAGE)}"; /docs/socket lists the events a client can send`,
    };
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') ack({ ok: false, error });
    else socket.emit('exception', error);
  };
}
