import { DatabaseKind } from './app';

/**
 * Run a suite once on PGlite and once on PostgreSQL. Without TEST_DATABASE_URL the
 * PostgreSQL run is registered as skipped, with the reason in its title, which the run's
 * summary lists (test/support/skipped-suites.reporter.js).
 */
export function describeEachDatabase(title: string, suite: (database: DatabaseKind) => void): void {
  describe(`${title} [PGlite]`, () => suite('pglite'));

  if (process.env.TEST_DATABASE_URL) {
    describe(`${title} [PostgreSQL]`, () => suite('postgres'));
    return;
  }
  describe.skip(`${title} [PostgreSQL] (skipped: TEST_DATABASE_URL is not set)`, () => suite('postgres'));
}

/** Run a suite on PostgreSQL only, or register it as skipped with the reason. */
export function describePostgres(title: string, suite: () => void): void {
  if (process.env.TEST_DATABASE_URL) describe(`${title} [PostgreSQL]`, suite);
  else describe.skip(`${title} [PostgreSQL] (skipped: TEST_DATABASE_URL is not set)`, suite);
}
