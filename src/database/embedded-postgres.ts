import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataDirLock } from './data-dir-lock';

/** Where the pg driver reaches the embedded database: a Unix socket directory, as for a local PostgreSQL. */
export interface EmbeddedConnection {
  socketDir: string;
  port: number;
}

const SOCKET_PORT = 5432;

/**
 * PGlite served in-process over the PostgreSQL wire protocol, so the application talks to it
 * through the ordinary pg driver. PGlite is a single session, so the server accepts exactly
 * one connection and the pool above it must have a size of one.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private socketDir?: string;
  private lock?: DataDirLock;

  constructor(private readonly dataDir: string) {}

  async start(): Promise<EmbeddedConnection> {
    const pgdata = join(resolve(this.dataDir), 'pglite');
    mkdirSync(pgdata, { recursive: true });
    this.lock = new DataDirLock(resolve(this.dataDir));
    this.lock.acquire();
    this.db = await PGlite.create({ dataDir: pgdata });

    // A Unix socket keeps the embedded database off every network interface.
    this.socketDir = mkdtempSync(join(tmpdir(), 'pglite-'));
    this.server = new PGLiteSocketServer({
      db: this.db,
      path: join(this.socketDir, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections: 1,
    });
    await this.server.start();
    this.logger.log(`Embedded PostgreSQL (PGlite) started with data in ${pgdata}`);
    return { socketDir: this.socketDir, port: SOCKET_PORT };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.db?.close();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
    this.lock?.release();
    this.server = undefined;
    this.db = undefined;
    this.logger.log('Embedded PostgreSQL stopped');
  }
}
