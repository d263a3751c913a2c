import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../common/errors/app-error';
import { IS_PUBLIC } from './public.decorator';

/**
 * Global REST guard: every route needs a bearer access token whose session is still active,
 * unless it is marked @Public(). Socket events pass, because the handshake authenticated them.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  /** Rethrow what the strategy's validate threw (an ended session, or a database outage as 503); a bad token is `info`. */
  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error) throw error;
    if (!user) {
      const missing = info instanceof Error && info.message === 'No auth token';
      throw new AppError('UNAUTHORIZED', missing ? 'Missing access token' : 'Invalid or expired access token');
    }
    return user;
  }
}
