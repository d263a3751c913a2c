import { AppError } from '../common/errors/app-error';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed-window counter per key, kept in this process. A sweep deletes expired windows at most
 * once per window length, so the map keeps only keys used within about the last two windows.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweepAt = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly what: string,
  ) {}

  /** Count one event for the key, or throw RATE_LIMITED with the time until its window ends. */
  consume(key: string, now = Date.now()): void {
    this.sweep(now);

    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count < this.limit) {
      window.count += 1;
      return;
    }

    const retryAfterMs = Math.max(1, window.startedAt + this.windowMs - now);
    throw new AppError(
      'RATE_LIMITED',
      `Rate limit of ${this.limit} ${this.what} per ${this.windowMs / 1000} s exceeded; retry in ${retryAfterMs} ms`,
      undefined,
      retryAfterMs,
    );
  }

  private sweep(now: number): void {
    if (now - this.lastSweepAt < this.windowMs) return;
    this.lastSweepAt = now;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}
