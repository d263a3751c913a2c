import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { Environment } from './config/environment';

async function bootstrap(): Promise<void> {
  const root = AppModule.forRoot();
  // ConfigModule.forRoot() validates .env and the environment in a promise that Nest awaits
  // only later. Awaiting it here turns a bad value into one clean message instead of an
  // unhandled rejection with a stack trace.
  await Promise.all((root.imports ?? []).filter((imported) => imported instanceof Promise));
  const app = await NestFactory.create<NestExpressApplication>(root, { bufferLogs: true, abortOnError: false });
  configureApp(app);

  // The Redis adapter publishes without awaiting, so a publish during a Redis outage rejects
  // with nobody to catch it. Log it and keep serving; clients recover through catch-up.
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason) => logger.warn({ err: reason }, 'Unhandled promise rejection'));

  // Shutdown drains in-flight work for at most 10 s; this bounds the whole exit at 25 s.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), 25_000).unref());
  }

  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  const port = config.get('PORT', { infer: true });
  const host = config.get('HOST', { infer: true });
  await app.listen(port, host);
  const browsable = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  console.log(`Listening on ${host} port ${port}; Swagger UI at http://${browsable}:${port}/docs`);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
