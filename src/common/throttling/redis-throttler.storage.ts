import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RedisService } from '../../redis/redis.service';

interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Count hits in one window per key and block the key for blockDuration once the limit is
 * passed. Returns hits, the window's remaining ms, and the block's remaining ms (0 unless blocked).
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
if blocked < 0 then blocked = 0 end
return {hits, ttl, blocked}`;

/**
 * Throttler counters shared by every instance through Redis. While Redis is unreachable the
 * limiter fails over to per-instance counters in memory, so sends keep working and each
 * instance still enforces the limit on its own traffic. Without REDIS_URL only the memory
 * counters are used.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly memory = new ThrottlerStorageService();
  private failures = 0;

  constructor(private readonly redis: RedisService) {}

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerRecord> {
    if (!this.redis.command) return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);

    try {
      const [hits, ttlMs, blockedMs] = (await this.redis.command.eval(
        INCREMENT,
        2,
        this.redis.key(`throttle:${key}`),
        this.redis.key(`throttle:${key}:blocked`),
        ttl,
        limit,
        blockDuration,
      )) as number[];
      this.failures = 0;
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
        isBlocked: blockedMs > 0,
        timeToBlockExpire: Math.ceil(blockedMs / 1000),
      };
    } catch (error) {
      this.failures += 1;
      if (this.failures === 1 || this.failures % 100 === 0) {
        this.logger.warn(
          { err: (error as Error).message, failures: this.failures },
          'Redis throttler unavailable; using per-instance counters',
        );
      }
      return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}
