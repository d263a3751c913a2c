import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppError } from '../common/errors/app-error';
import { Environment } from '../config/environment';
import { RedisService } from '../redis/redis.service';

/** A failure count and the ms until its window ends. */
interface Count {
  failures: number;
  remainingMs: number;
}

/** Increment each counter, and start its window on its first failure. */
const RECORD_FAILURE = `
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 1`;

/** Read each counter as {failures, remaining ms}. */
const READ_COUNTS = `
local result = {}
for i, key in ipairs(KEYS) do
  result[i] = {tonumber(redis.call('GET', key) or '0'), redis.call('PTTL', key)}
end
return result`;

/**
 * Failed logins counted per account and per client address in fixed windows. Counters live in
 * Redis when REDIS_URL is set, so every instance reads the same counts; without Redis, or while
 * it is unreachable, each instance counts in memory on its own. A success clears the account's
 * counter but not the address's, so one valid account cannot reset an address that guesses others.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly logger = new Logger(LoginAttemptsService.name);
  private readonly memory = new Map<string, { failures: number; resetAt: number }>();
  private readonly accountLimit: number;
  private readonly addressLimit: number;
  private readonly windowMs: number;
  private redisFailures = 0;

  constructor(
    private readonly redis: RedisService,
    config: ConfigService<Environment, true>,
  ) {
    this.accountLimit = config.get('LOGIN_FAILURE_ACCOUNT_LIMIT', { infer: true });
    this.addressLimit = config.get('LOGIN_FAILURE_ADDRESS_LIMIT', { infer: true });
    this.windowMs = config.get('LOGIN_FAILURE_WINDOW_MS', { infer: true });
  }

  /** Throw RATE_LIMITED when the account or the address has used up its failures; the message names neither. */
  async assertAllowed(account: string, address: string): Promise<void> {
    const [forAccount, forAddress] = await this.read([this.redis.key(accountKey(account)), this.redis.key(addressKey(address))]);
    const blocked = [
      forAccount.failures >= this.accountLimit ? forAccount.remainingMs : 0,
      forAddress.failures >= this.addressLimit ? forAddress.remainingMs : 0,
    ];
    const retryAfterMs = Math.max(...blocked);
    if (retryAfterMs > 0) {
      throw new AppError('RATE_LIMITED', 'Too many failed login attempts; retry later', undefined, retryAfterMs);
    }
  }

  async recordFailure(account: string, address: string): Promise<void> {
    const keys = [this.redis.key(accountKey(account)), this.redis.key(addressKey(address))];
    if (await this.tryRedis(() => this.redis.command!.eval(RECORD_FAILURE, keys.length, ...keys, this.windowMs))) return;

    const now = Date.now();
    this.sweep(now);
    for (const key of keys) {
      const entry = this.memory.get(key);
      if (entry && entry.resetAt > now) entry.failures += 1;
      else this.memory.set(key, { failures: 1, resetAt: now + this.windowMs });
    }
  }

  async recordSuccess(account: string): Promise<void> {
    const key = this.redis.key(accountKey(account));
    this.memory.delete(key);
    await this.tryRedis(() => this.redis.command!.del(key));
  }

  private async read(keys: string[]): Promise<Count[]> {
    let fromRedis: [number, number][] | undefined;
    await this.tryRedis(async () => {
      fromRedis = (await this.redis.command!.eval(READ_COUNTS, keys.length, ...keys)) as [number, number][];
    });
    if (fromRedis) return fromRedis.map(([failures, ttl]) => ({ failures, remainingMs: Math.max(ttl, 1) }));

    const now = Date.now();
    return keys.map((key) => {
      const entry = this.memory.get(key);
      return entry && entry.resetAt > now
        ? { failures: entry.failures, remainingMs: entry.resetAt - now }
        : { failures: 0, remainingMs: 0 };
    });
  }

  /** Run a Redis command; false without Redis or when it fails, so the caller falls back to memory. */
  private async tryRedis(command: () => Promise<unknown>): Promise<boolean> {
    if (!this.redis.command) return false;
    try {
      await command();
      this.redisFailures = 0;
      return true;
    } catch (error) {
      this.redisFailures += 1;
      if (this.redisFailures === 1 || this.redisFailures % 100 === 0) {
        this.logger.warn(
          { err: (error as Error).message, failures: this.redisFailures },
          'Redis unavailable; counting failed logins in memory',
        );
      }
      return false;
    }
  }

  /** Drop expired counters once the map grows, so guessing many unknown names cannot grow it without bound. */
  private sweep(now: number): void {
    if (this.memory.size < 10_000) return;
    for (const [key, entry] of this.memory) if (entry.resetAt <= now) this.memory.delete(key);
  }
}

const accountKey = (account: string) => `login-failures:account:${account}`;
const addressKey = (address: string) => `login-failures:address:${address}`;
