import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { applyOriginPolicy, OriginPolicy } from './common/http/origin-policy';
import { HttpErrorFilter } from './common/filters/http-error.filter';
import { nestingDepthMiddleware } from './common/validation/nesting-depth';
import { createValidationPipe } from './common/validation/validation.pipe';
import { Environment } from './config/environment';
import { ListenerIoAdapter } from './realtime/listener-io.adapter';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { RedisService } from './redis/redis.service';

export const BODY_LIMIT = '64kb';

/** Apply everything main.ts and the e2e tests share: prefix, body limits, validation, errors, Swagger. */
export function configureApp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api', { exclude: ['health', 'health/live', 'metrics', 'docs/socket', 'docs/socket.json'] });
  const trustProxy = app.get<ConfigService<Environment, true>>(ConfigService).get('TRUST_PROXY', { infer: true });
  if (trustProxy) app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.use(nestingDepthMiddleware);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  applyOriginPolicy(app, OriginPolicy.fromConfig(app.get(ConfigService)));
  // On SIGTERM or SIGINT: drain, close, then exit with code 0 (process.exit also lets pino flush).
  app.enableShutdownHooks([], { useProcessExit: true });

  const redis = app.get(RedisService);
  app.useWebSocketAdapter(redis.enabled ? new RedisIoAdapter(app, redis) : new ListenerIoAdapter(app));

  const config = new DocumentBuilder()
    .setTitle('Relay chat server')
    .setDescription(
      'REST API of the messaging server. Real-time events use Socket.IO at engine path /ws ' +
        '(io(BASE_URL, { path: "/ws", auth: { token } })). Every error has the body {code, error, message, details?}.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
