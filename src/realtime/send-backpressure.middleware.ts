import type { Socket } from 'socket.io';
import { MessageBatcher, overloadedError } from '../messages/message-batcher';
import { rejectPacket } from './ack';

/**
 * Per-socket middleware that rejects message:send with SERVICE_UNAVAILABLE while the batcher is
 * backlogged. The send would likely time out in the queue anyway, and rejecting it here skips
 * validation and the rest of the handler pipeline, where a rejected send otherwise spends most
 * of the CPU of a stored one (docs/benchmarks.md).
 */
export function sendBackpressureMiddleware(socket: Socket, batcher: MessageBatcher, onShed: () => void) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    if (packet[0] !== 'message:send' || !batcher.backlogged) return next();

    onShed();
    rejectPacket(socket, packet, overloadedError().toBody());
  };
}
