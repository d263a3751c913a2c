import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from '../redis/redis.service';

/**
 * Redis state for /health. An unreachable Redis degrades the instance (no cross-instance
 * fan-out, per-instance rate limits) but it keeps serving, so this check never fails readiness.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly redis: RedisService,
  ) {}

  check(): HealthIndicatorResult {
    const session = this.indicator.check('redis');
    if (!this.redis.enabled) return session.up({ mode: 'single-instance' });
    return session.up({ mode: 'multi-instance', connected: this.redis.connected, degraded: !this.redis.connected });
  }
}
