import type { Socket } from 'socket.io';
import { AppError } from '../common/errors/app-error';
import { FixedWindowRateLimiter } from '../presence/rate-limiter';
import { rejectPacket } from './ack';

/**
 * Per-socket middleware that lets at most `limit` events per window reach the handlers. The
 * excess is rejected through its ack (or an `exception` event) with RATE_LIMITED and
 * retryAfterMs, without touching the database, so one flooding client cannot queue work
 * in front of everyone else's.
 */
export function eventRateLimitMiddleware(socket: Socket, limit: number, windowMs: number) {
  const limiter = new FixedWindowRateLimiter(limit, windowMs, 'events per socket');
  return (packet: unknown[], next: (error?: Error) => void) => {
    try {
      limiter.consume(socket.id);
    } catch (error) {
      rejectPacket(socket, packet, (error as AppError).toBody());
      return;
    }
    next();
  };
}
