import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Socket } from 'socket.io';
import { Principal } from '../../auth/token.service';
import { AppError } from '../errors/app-error';

/** The request-like object the throttler sees: an Express request, or a socket on the gateway. */
export interface ThrottledRequest {
  user?: Principal;
  ip?: string;
  data?: { principal?: Principal };
  handshake?: { address?: string };
  headers?: Record<string, unknown>;
}

/** The caller's user id on either transport, if authenticated. */
export function principalOf(req: ThrottledRequest): Principal | undefined {
  return req.user ?? req.data?.principal;
}

/** The client's address on either transport. */
export function addressOf(req: ThrottledRequest): string {
  return req.ip ?? req.handshake?.address ?? 'unknown';
}

/**
 * ThrottlerGuard for REST and the gateway alike. Keys depend on the throttler and the tracker
 * only, never on the route, so one counter covers both transports.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext) {
    if (context.getType() === 'ws') {
      const client = context.switchToWs().getClient<Socket>();
      return { req: client as unknown as Record<string, unknown>, res: {} };
    }
    return super.getRequestResponse(context);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override setResponseHeader(res: Record<string, unknown>, name: string, value: string | number): void {
    if (typeof res.header === 'function') (res.header as (n: string, v: string | number) => void)(name, value);
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfterMs = Math.max(1, detail.timeToBlockExpire) * 1000;
    throw new AppError(
      'RATE_LIMITED',
      `Rate limit of ${detail.limit} per ${detail.ttl / 1000} s exceeded; retry later`,
      undefined,
      retryAfterMs,
    );
  }
}
