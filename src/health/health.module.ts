import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DrainInterceptor } from './drain.interceptor';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';
import { ShutdownState } from './shutdown.state';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [ShutdownState, RedisHealthIndicator, { provide: APP_INTERCEPTOR, useClass: DrainInterceptor }],
  exports: [ShutdownState],
})
export class HealthModule {}
