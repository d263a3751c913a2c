import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { serverOptions } from './src/database/data-source-options';

// The DataSource for the TypeORM CLI (migration:generate, migration:run). The application
// runs the same migrations itself at start, against PostgreSQL or the embedded PGlite.
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL is required for the TypeORM CLI, e.g. postgres://postgres@127.0.0.1:5432/chat');
}

export default new DataSource(serverOptions(url, 2));
