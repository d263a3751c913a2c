import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/** Register a suite that needs PostgreSQL and Redis, or register it as skipped with the reason. */
export function describeScaleOut(title: string, suite: () => void): void {
  const missing = ['TEST_DATABASE_URL', 'REDIS_URL'].filter((name) => !process.env[name]);
  if (missing.length === 0) {
    describe(`${title} [PostgreSQL + Redis]`, suite);
    return;
  }
  process.stderr.write(`Scale-out suite "${title}" skipped: ${missing.join(' and ')} not set.\n`);
  describe.skip(`${title} [PostgreSQL + Redis] (skipped: ${missing.join(' and ')} not set)`, suite);
}

/**
 * Prefix of the presence keys of this test file's clusters. Other test runs share the Redis,
 * and their instances would otherwise sweep and announce this file's presence entries.
 */
export const CLUSTER_KEY_PREFIX = `test-${process.pid}-${randomBytes(3).toString('hex')}:`;

/** Environment shared by every instance of one cluster. */
export function clusterEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
    REDIS_URL: process.env.REDIS_URL ?? '',
    JWT_SECRET: 'cluster-test-secret-0123456789abcdefghijkl',
    AUTH_RATE_LIMIT: '100000',
    HTTP_RATE_LIMIT: '100000',
    LOGIN_FAILURE_ACCOUNT_LIMIT: '100000',
    LOGIN_FAILURE_ADDRESS_LIMIT: '100000',
    REDIS_KEY_PREFIX: CLUSTER_KEY_PREFIX,
    SOCKET_EVENT_RATE_LIMIT: '100000',
    SOCKET_HANDSHAKE_RATE_LIMIT: '100000',
    ...extra,
  };
}

/** Delete the keys below a prefix from a Redis, so a test leaves nothing behind in a shared one. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
