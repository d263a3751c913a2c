import type { Socket } from 'socket.io';
import { ErrorBody } from '../common/errors/error-code';

/** Largest accepted event payload, as serialised JSON. */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Per-socket middleware that rejects an event whose payload exceeds MAX_EVENT_BYTES, through
 * its ack when it has one. Frames beyond the engine's maxHttpBufferSize never get this far:
 * Socket.IO closes those connections.
 */
export function payloadSizeMiddleware(socket: Socket) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    const ack = packet[packet.length - 1];
    const args = typeof ack === 'function' ? packet.slice(1, -1) : packet.slice(1);
    const bytes = Buffer.byteLength(JSON.stringify(args) ?? '');
    if (bytes <= MAX_EVENT_BYTES) return next();

    const error: ErrorBody = {
      code: 413,
      error: 'PAYLOAD_TOO_LARGE',
      message: `Event payload is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}`,
    };
    if (typeof ack === 'function') ack({ ok: false, error });
    else socket.emit('exception', error);
  };
}
