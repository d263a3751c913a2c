import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';
import { AppError } from '../common/errors/app-error';
import { ShutdownState } from './shutdown.state';

/** Track every REST request and socket event as in flight, and reject new ones once draining. */
@Injectable()
export class DrainInterceptor implements NestInterceptor {
  constructor(private readonly shutdown: ShutdownState) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.shutdown.isShuttingDown && !this.isHealthCheck(context)) {
      throw new AppError('SERVICE_UNAVAILABLE', 'This instance is shutting down; retry on another', undefined, 1000);
    }
    const finish = this.shutdown.begin();
    return next.handle().pipe(finalize(finish));
  }

  private isHealthCheck(context: ExecutionContext): boolean {
    return context.getType() === 'http' && context.switchToHttp().getRequest<{ path?: string }>().path?.startsWith('/health') === true;
  }
}
