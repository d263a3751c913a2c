import type { Socket } from 'socket.io';
import { ErrorBody } from '../common/errors/error-code';
import { MAX_NESTING_DEPTH, nestsDeeperThan, reservedKeyError, reservedKeyIn, tooDeepError } from '../common/validation/nesting-depth';
import { rejectPacket } from './ack';

/** Largest accepted event payload, as serialised JSON. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** The arguments list adds one level above the payload itself. */
const MAX_NESTING_DEPTH_OF_ARGS = MAX_NESTING_DEPTH + 1;

/**
 * Per-socket middleware that rejects an event whose payload nests deeper than
 * MAX_NESTING_DEPTH, uses a reserved key or exceeds MAX_EVENT_BYTES, through its ack when it has one. Frames beyond
 * the engine's maxHttpBufferSize never get this far: Socket.IO closes those connections.
 */
export function payloadSizeMiddleware(socket: Socket) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    const ack = packet[packet.length - 1];
    const args = typeof ack === 'function' ? packet.slice(1, -1) : packet.slice(1);
    const reject = (error: ErrorBody) => rejectPacket(socket, packet, error);

    // Checked first: JSON.stringify below recurses and would overflow the stack on deep input.
    if (nestsDeeperThan(args, MAX_NESTING_DEPTH_OF_ARGS)) return reject(tooDeepError('Event payload').toBody());
    const reserved = reservedKeyIn(args);
    if (reserved !== undefined) return reject(reservedKeyError(reserved).toBody());

    const bytes = Buffer.byteLength(JSON.stringify(args) ?? '');
    if (bytes <= MAX_EVENT_BYTES) return next();
    reject({ code: 413, error: 'PAYLOAD_TOO_LARGE', message: `Event payload is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}` });
  };
}
