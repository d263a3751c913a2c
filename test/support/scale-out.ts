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

/** Environment shared by every instance of one cluster. */
export function clusterEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
    REDIS_URL: process.env.REDIS_URL ?? '',
    JWT_SECRET: 'cluster-test-secret-0123456789abcdefghijkl',
    AUTH_RATE_LIMIT: '100000',
    HTTP_RATE_LIMIT: '100000',
    SOCKET_EVENT_RATE_LIMIT: '100000',
    SOCKET_HANDSHAKE_RATE_LIMIT: '100000',
    ...extra,
  };
}
