import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** How long shutdown waits for in-flight requests and socket events before closing anyway. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Drain state of this instance. On shutdown readiness turns false at once, new requests,
 * events and sockets are rejected with SERVICE_UNAVAILABLE, and the servers close only once
 * in-flight work has finished and been acknowledged (or DRAIN_TIMEOUT_MS has passed).
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownState.name);
  private shuttingDown = false;
  private inFlight = 0;
  private idle?: () => void;
  private readonly drainedCallbacks: (() => Promise<void>)[] = [];

  constructor(private readonly indicator: HealthIndicatorService) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Count one request or event as started; returns the function that marks it finished. */
  begin(): () => void {
    this.inFlight += 1;
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) this.idle?.();
    };
  }

  /** Register work to run once in-flight work has finished, before the servers close. */
  onDrained(callback: () => Promise<void>): void {
    this.drainedCallbacks.push(callback);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.shuttingDown = true;
    this.logger.log({ signal, inFlight: this.inFlight }, 'Draining before shutdown');
    if (this.inFlight > 0) {
      const drained = new Promise<void>((resolve) => (this.idle = resolve));
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref());
      await Promise.race([drained, timeout]);
      if (this.inFlight > 0) this.logger.warn({ inFlight: this.inFlight }, 'Drain timed out; closing with work in flight');
    }
    await Promise.all(this.drainedCallbacks.map((callback) => callback()));
  }

  check(): HealthIndicatorResult {
    const session = this.indicator.check('server');
    return this.shuttingDown ? session.down({ reason: 'shutting down' }) : session.up();
  }
}
