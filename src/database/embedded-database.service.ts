import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EmbeddedConnection, EmbeddedPostgres } from './embedded-postgres';

/** Owns the embedded PGlite for the application's lifetime and stops it after the connection pool. */
@Injectable()
export class EmbeddedDatabaseService implements OnApplicationShutdown {
  private embedded?: EmbeddedPostgres;

  constructor(private readonly moduleRef: ModuleRef) {}

  async start(dataDir: string): Promise<EmbeddedConnection> {
    this.embedded = new EmbeddedPostgres(dataDir);
    return this.embedded.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;

    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
    this.embedded = undefined;
  }
}
