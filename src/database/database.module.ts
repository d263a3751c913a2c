import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Environment } from '../config/environment';
import { embeddedOptions, serverOptions } from './data-source-options';
import { EmbeddedDatabaseService } from './embedded-database.service';
import { QueryCounter } from './query-counter';

@Global()
@Module({
  providers: [EmbeddedDatabaseService, QueryCounter],
  exports: [EmbeddedDatabaseService, QueryCounter],
})
class EmbeddedDatabaseModule {}

/**
 * TypeORM on PostgreSQL when DATABASE_URL is set, otherwise on an embedded PGlite under
 * DATA_DIR. Pending migrations run at start in both cases.
 */
@Module({
  imports: [
    EmbeddedDatabaseModule,
    TypeOrmModule.forRootAsync({
      inject: [ConfigService, EmbeddedDatabaseService, QueryCounter],
      useFactory: async (config: ConfigService<Environment, true>, embedded: EmbeddedDatabaseService, counter: QueryCounter) => {
        const url = config.get('DATABASE_URL', { infer: true });
        const base = url
          ? serverOptions(url, config.get('DATABASE_POOL_SIZE', { infer: true }), {
              connectTimeoutMs: config.get('DATABASE_CONNECT_TIMEOUT_MS', { infer: true }),
              statementTimeoutMs: config.get('DATABASE_STATEMENT_TIMEOUT_MS', { infer: true }),
            })
          : embeddedOptions(await embedded.start(config.get('DATA_DIR', { infer: true })));
        return { ...base, migrationsRun: true, logger: counter, logging: ['query', 'error', 'migration'] };
      },
    }),
  ],
})
export class DatabaseModule {}
