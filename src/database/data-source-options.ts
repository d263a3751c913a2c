import { DataSourceOptions } from 'typeorm';
import { EmbeddedConnection } from './embedded-postgres';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { TimeoutClosingClient } from './timeout-closing-client';

const COMMON = {
  type: 'postgres' as const,
  entities: ENTITIES,
  migrations: MIGRATIONS,
  synchronize: false,
  migrationsTransactionMode: 'each' as const,
  // gen_random_uuid() is built in since PostgreSQL 13, and PGlite ships neither uuid-ossp nor pgcrypto.
  uuidExtension: 'pgcrypto' as const,
  installExtensions: false,
};

/** How long to wait for PostgreSQL before a request fails with SERVICE_UNAVAILABLE. */
export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 1500, statementTimeoutMs: 10_000 };

/**
 * Options for a PostgreSQL server reached by URL. The server cancels a statement after
 * statementTimeoutMs. The driver gives up one second later, which covers a server that no
 * longer responds at all.
 */
export function serverOptions(url: string, poolSize: number, timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS): DataSourceOptions {
  return {
    ...COMMON,
    url,
    poolSize,
    connectTimeoutMS: timeouts.connectTimeoutMs,
    extra: {
      statement_timeout: timeouts.statementTimeoutMs,
      query_timeout: timeouts.statementTimeoutMs + 1000,
      Client: TimeoutClosingClient,
    },
  };
}

/** Options for the embedded PGlite: one connection, so concurrent transactions queue instead of sharing one session. */
export function embeddedOptions(connection: EmbeddedConnection): DataSourceOptions {
  return {
    ...COMMON,
    host: connection.socketDir,
    port: connection.port,
    username: 'postgres',
    database: 'postgres',
    poolSize: 1,
  };
}
