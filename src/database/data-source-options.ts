import { DataSourceOptions } from 'typeorm';
import { EmbeddedConnection } from './embedded-postgres';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

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

/** Options for a PostgreSQL server reached by URL. */
export function serverOptions(url: string, poolSize: number): DataSourceOptions {
  // TODO: pg-pool also applies this timeout to waiting for a free pool connection, so an overloaded
  // server fails sends with INTERNAL after 5 s where SERVICE_UNAVAILABLE would tell clients to retry.
  return { ...COMMON, url, poolSize, connectTimeoutMS: 5000 };
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
