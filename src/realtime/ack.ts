import {
  ArgumentsHost,
  Catch,
  CallHandler,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  WsExceptionFilter,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { map, Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { toErrorBody } from '../common/errors/to-error-body';
import { ErrorBody } from '../common/errors/error-code';

/** The acknowledgement every client event receives. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * Reject a socket event before it reaches a handler: through its ack callback as
 * `{ ok: false, error }`, or as an `exception` event when the client sent no ack callback.
 */
export function rejectPacket(socket: Socket, packet: unknown[], error: ErrorBody): void {
  const ack = packet[packet.length - 1];
  if (typeof ack === 'function') ack({ ok: false, error } satisfies Ack<never>);
  else socket.emit('exception', error);
}

/** Wrap a handler's return value as `{ ok: true, data }`. */
@Injectable()
export class AckInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<Ack<unknown>> {
    return next.handle().pipe(map((data: unknown) => ({ ok: true as const, data: data ?? null })));
  }
}

/**
 * Reply to a failed event through the client's ack callback as `{ ok: false, error }`. Nest
 * would otherwise emit a separate `exception` event and leave the ack unanswered. Clients
 * that sent no ack callback get the error as an `exception` event instead.
 */
@Catch()
export class AckExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<Socket>();
    const error = toErrorBody(exception, randomUUID(), this.logger);
    const ack = host.getArgByIndex<unknown>(2);
    if (typeof ack === 'function') ack({ ok: false, error } satisfies Ack<never>);
    else client.emit('exception', error);
  }
}
