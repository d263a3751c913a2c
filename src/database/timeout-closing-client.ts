import { Client, ClientConfig } from 'pg';

/**
 * pg Client that ends its connection when a query hits query_timeout. pg 8 keeps such a
 * connection in the pool, and every later query on it waits behind the hung one, so during a
 * network partition each statement of each request would wait out the full timeout. end()
 * destroys the socket when a query is still active, and the pool then opens a fresh connection.
 */
export class TimeoutClosingClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    // Only the promise form, which TypeORM uses, is watched.
    this.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === 'Query read timeout') this.end().catch(() => undefined);
        });
      }
      return result;
    }) as Client['query'];
  }
}
