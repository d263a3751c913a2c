import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { throttlerOptions } from './common/throttling/throttler.config';
import { UserThrottlerGuard } from './common/throttling/user-throttler.guard';
import { Environment, validateEnvironment } from './config/environment';
import { loggerOptions } from './config/logger.options';
import { DatabaseModule } from './database/database.module';
import { GroupsModule } from './groups/groups.module';
import { HealthModule } from './health/health.module';
import { MessagesModule } from './messages/messages.module';
import { MetricsModule } from './metrics/metrics.module';
import { PresenceModule } from './presence/presence.module';
import { RealtimeGatewayModule } from './realtime/realtime-gateway.module';
import { RealtimeModule } from './realtime/realtime.module';
import { UsersModule } from './users/users.module';
import { RedisModule } from './redis/redis.module';
import { RedisThrottlerStorage } from './common/throttling/redis-throttler.storage';

/**
 * The root module. forRoot() reads and validates process.env when it is called, so tests can
 * boot several applications with different settings in one process.
 */
@Module({})
export class AppModule {
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, validate: validateEnvironment, cache: true }),
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => loggerOptions(config.get('LOG_LEVEL', { infer: true })),
        }),
        RedisModule,
        ThrottlerModule.forRootAsync({
          inject: [ConfigService, RedisThrottlerStorage],
          useFactory: (config: ConfigService<Environment, true>, storage: RedisThrottlerStorage) => ({
            storage,
            ...throttlerOptions({
              MESSAGE_RATE_LIMIT: config.get('MESSAGE_RATE_LIMIT', { infer: true }),
              MESSAGE_RATE_WINDOW_MS: config.get('MESSAGE_RATE_WINDOW_MS', { infer: true }),
              HTTP_RATE_LIMIT: config.get('HTTP_RATE_LIMIT', { infer: true }),
              AUTH_RATE_LIMIT: config.get('AUTH_RATE_LIMIT', { infer: true }),
            }),
          }),
        }),
        DatabaseModule,
        MetricsModule,
        RealtimeModule,
        HealthModule,
        AuthModule,
        UsersModule,
        GroupsModule,
        MessagesModule,
        PresenceModule,
        RealtimeGatewayModule,
      ],
      providers: [
        // Authentication runs first so the throttler can key REST limits by user.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: UserThrottlerGuard },
      ],
    };
  }
}
