import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** Flips readiness to false as soon as shutdown begins, so load balancers stop sending traffic. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(private readonly indicator: HealthIndicatorService) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  check(): HealthIndicatorResult {
    const session = this.indicator.check('server');
    return this.shuttingDown ? session.down({ reason: 'shutting down' }) : session.up();
  }
}
