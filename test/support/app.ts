import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';

export type DatabaseKind = 'pglite' | 'postgres';

export interface TestApp {
  app: NestExpressApplication;
  /** Base URL on 127.0.0.1, e.g. http://127.0.0.1:41234 */
  url: string;
  database: DatabaseKind;
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface StartOptions {
  database?: DatabaseKind;
  /** Extra environment variables for this application only. */
  env?: Record<string, string>;
  /** Reuse a data directory (PGlite) instead of a fresh temporary one. */
  dataDir?: string;
  /** Reach PostgreSQL at this URL instead of TEST_DATABASE_URL, e.g. through a test proxy. */
  databaseUrl?: string;
}

/** Limits are raised by default so tests that register many users are not throttled. */
const TEST_DEFAULTS: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT: '100000',
  HTTP_RATE_LIMIT: '100000',
  MESSAGE_RATE_LIMIT: '100000',
  LOGIN_FAILURE_ACCOUNT_LIMIT: '100000',
  LOGIN_FAILURE_ADDRESS_LIMIT: '100000',
  SOCKET_EVENT_RATE_LIMIT: '100000',
  SOCKET_HANDSHAKE_RATE_LIMIT: '100000',
};

const VARIED = [
  'DATABASE_URL',
  'DATA_DIR',
  'JWT_SECRET',
  'MESSAGE_RATE_LIMIT',
  'AUTH_RATE_LIMIT',
  'HTTP_RATE_LIMIT',
  'REDIS_URL',
  'JWT_ACCESS_TTL_SECONDS',
  'CORS_ORIGINS',
  'LOGIN_FAILURE_ACCOUNT_LIMIT',
  'LOGIN_FAILURE_ADDRESS_LIMIT',
  'LOGIN_FAILURE_WINDOW_MS',
  'SOCKET_EVENT_RATE_LIMIT',
  'SOCKET_EVENT_RATE_WINDOW_MS',
  'SOCKET_HANDSHAKE_RATE_LIMIT',
  'SOCKET_HANDSHAKE_RATE_WINDOW_MS',
  'SOCKET_CONNECT_TIMEOUT_MS',
  'SOCKET_PING_INTERVAL_MS',
  'SOCKET_PING_TIMEOUT_MS',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'DATABASE_STATEMENT_TIMEOUT_MS',
];

/** Boot the real application on a random loopback port against PGlite or TEST_DATABASE_URL. */
export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const database = options.database ?? 'pglite';
  const ownDataDir = database === 'pglite' && !options.dataDir ? mkdtempSync(join(tmpdir(), 'chat-test-')) : undefined;

  // The application reads the environment while it boots. The caller's environment is restored
  // afterwards, so later suites in this file still get REDIS_URL and the other variables it had.
  const callerEnv = { ...process.env };
  for (const key of VARIED) delete process.env[key];
  Object.assign(process.env, TEST_DEFAULTS, { PORT: '0', HOST: '127.0.0.1' }, options.env);
  if (database === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    process.env.DATABASE_URL = options.databaseUrl ?? url;
  } else {
    process.env.DATA_DIR = options.dataDir ?? ownDataDir!;
  }

  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
      logger: ['error', 'warn'],
      bufferLogs: false,
      abortOnError: false,
    });
    configureApp(app);
    await app.listen(0, '127.0.0.1');
  } finally {
    restoreEnv(callerEnv);
  }
  const { port } = app.getHttpServer().address() as AddressInfo;

  return {
    app,
    url: `http://127.0.0.1:${port}`,
    database,
    dataSource: app.get(DataSource),
    async close() {
      await app.close();
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) {
    if (!(key in saved)) delete process.env[key];
  }
  Object.assign(process.env, saved);
}
