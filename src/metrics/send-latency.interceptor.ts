import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { MetricsService } from './metrics.service';

/** Observe chat_send_latency_seconds from the handler being called until its result or error is ready to acknowledge. */
@Injectable()
export class SendLatencyInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const stop = this.metrics.sendLatency.startTimer();
    return next.handle().pipe(
      tap({
        next: () => stop({ outcome: 'ok' }),
        error: () => stop({ outcome: 'error' }),
      }),
    );
  }
}
