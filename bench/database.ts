import { Client } from 'pg';

/** The few queries the harness runs itself: seeding accounts and counting stored messages. */
export interface BenchDatabase {
  readonly kind: 'postgresql' | 'pglite';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openPostgres(url: string): Promise<BenchDatabase> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    kind: 'postgresql',
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as T[];
    },
    close: () => client.end(),
  };
}

/**
 * Open the server's embedded database directory directly. PGlite allows one process at a
 * time, so the harness calls this only while the server is stopped.
 */
export async function openPglite(dataDir: string): Promise<BenchDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create({ dataDir });
  return {
    kind: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    close: () => db.close(),
  };
}
