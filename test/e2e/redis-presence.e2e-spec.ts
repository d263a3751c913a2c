import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisPresence, RedisPresenceOptions } from '../../src/presence/redis-presence';
import { PresenceStatus } from '../../src/users/dto/user.view';
import { waitFor } from '../support/clients';
import { deleteRedisKeys } from '../support/scale-out';

interface Transition {
  instance: string;
  userId: string;
  status: PresenceStatus;
  lastSeenAt?: Date;
}

const USERS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const describeRedis = process.env.REDIS_URL ? describe : describe.skip;
if (!process.env.REDIS_URL) process.stderr.write('Redis presence suite skipped: REDIS_URL not set.\n');

/** Several RedisPresence stores on one real Redis, each standing in for one instance. */
describeRedis('RedisPresence', () => {
  const keyPrefix = `test-presence-${randomBytes(4).toString('hex')}:`;
  const options: RedisPresenceOptions = { idleMs: 60_000, graceMs: 100, ttlMs: 600, heartbeatMs: 100, keyPrefix };
  const clients: Redis[] = [];
  const stores: RedisPresence[] = [];
  let transitions: Transition[] = [];

  const start = (instance: string) => {
    const client = new Redis(process.env.REDIS_URL!);
    const store = new RedisPresence(client, options, (userId, status, lastSeenAt) =>
      transitions.push({ instance, userId, status, lastSeenAt }),
    );
    clients.push(client);
    stores.push(store);
    return store;
  };
  const statusesOf = (userId: string) =>
    transitions.filter((transition) => transition.userId === userId).map((transition) => transition.status);

  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    transitions = [];
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await deleteRedisKeys(process.env.REDIS_URL!, keyPrefix);
  });

  it('claims each offline once across sweepers', async () => {
    const crashed = start('crashed');
    const sweepers = [start('a'), start('b'), start('c')];
    const userIds = Array.from({ length: USERS }, (_, i) => `crash-user-${i}`);
    userIds.forEach((userId, i) => crashed.connect(userId, `crash-socket-${i}`));
    await waitFor(() => transitions.length >= USERS, 15_000, 'online transitions');

    // Stopping the heartbeat without removing entries is what a killed instance leaves behind.
    crashed.close();
    await waitFor(() => transitions.length >= 2 * USERS, 15_000, 'offline transitions');
    await sleep(3 * options.heartbeatMs);

    const offline = transitions.filter((transition) => transition.status === 'offline');
    expect(transitions).toHaveLength(2 * USERS);
    expect(new Set(offline.map((transition) => transition.userId)).size).toBe(USERS);
    expect(offline.every((transition) => transition.instance !== 'crashed')).toBe(true);
    expect(offline.every((transition) => transition.lastSeenAt instanceof Date)).toBe(true);
    expect(await sweepers[0].statuses(userIds)).toEqual(new Map());
  });

  it('combines the sockets of one user on two instances', async () => {
    const first = start('first');
    const second = start('second');
    const userId = 'two-sockets';

    first.connect(userId, 'socket-1');
    second.connect(userId, 'socket-2');
    await waitFor(() => transitions.length === 1, 5000, 'online transition');
    await first.report('socket-1', 'away');
    const oneAway = await second.statuses([userId]);
    await second.report('socket-2', 'away');
    const bothAway = await first.statuses([userId]);
    first.disconnect('socket-1');
    await sleep(options.graceMs + 3 * options.heartbeatMs);
    const oneLeft = await first.statuses([userId]);
    second.disconnect('socket-2');
    await waitFor(() => transitions.length === 3, 5000, 'offline transition');

    expect(oneAway.get(userId)).toBe('online');
    expect(bothAway.get(userId)).toBe('away');
    expect(oneLeft.get(userId)).toBe('away');
    expect(statusesOf(userId)).toEqual(['online', 'away', 'offline']);
  });

  it('keeps a user online across a reconnect within grace', async () => {
    const first = start('first');
    const second = start('second');
    const userId = 'reconnecting';

    first.connect(userId, 'old-socket');
    await waitFor(() => transitions.length === 1, 5000, 'online transition');
    first.disconnect('old-socket');
    await sleep(options.graceMs / 4);
    second.connect(userId, 'new-socket');
    await sleep(options.graceMs + 3 * options.heartbeatMs);

    expect(statusesOf(userId)).toEqual(['online']);
    expect((await first.statuses([userId])).get(userId)).toBe('online');
  });
});
