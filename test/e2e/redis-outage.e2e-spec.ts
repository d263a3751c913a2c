import { Socket } from 'socket.io-client';
import { clusterEnv, describeScaleOut } from '../support/scale-out';
import { Instance, startInstance } from '../support/cluster';
import { api, collect, connectSocket, emitAck, nextEvent, registerUser, TestUser, waitFor } from '../support/clients';
import { TestRedis } from '../support/redis-server';

interface Health {
  details: { redis: { connected: boolean; degraded: boolean } };
}

const redisHealth = async (instance: Instance) => ((await (await fetch(`${instance.url}/health`)).json()) as Health).details.redis;

async function waitForRedis(instance: Instance, connected: boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await redisHealth(instance)).connected !== connected) {
    if (Date.now() > deadline) throw new Error(`Redis connected never became ${connected} on ${instance.url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const RATE_LIMIT = 10;
const HEARTBEAT_MS = 300;

const statusOf = async (instance: Instance, caller: TestUser, userId: string) =>
  (await api(instance, caller).get(`/api/users/${userId}/status`)).body.status as string;

/** Poll a user's status through an instance until it equals `expected`, failing after timeoutMs. */
async function waitForStatus(instance: Instance, caller: TestUser, userId: string, expected: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await statusOf(instance, caller, userId)) !== expected) {
    if (Date.now() > deadline) throw new Error(`status of ${userId} on ${instance.url} never became ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeScaleOut('Redis outage', () => {
  let redis: TestRedis;
  let first: Instance;
  let second: Instance;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    const env = clusterEnv({
      REDIS_URL: redis.url,
      MESSAGE_RATE_LIMIT: String(RATE_LIMIT),
      PRESENCE_TTL_MS: '1500',
      PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    [first, second] = await Promise.all([startInstance(env), startInstance(env)]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.stop();
  });

  it('keeps storing sends and resumes fan-out after a restart', async () => {
    const alice = await registerUser(first, 'alice');
    const bob = await registerUser(second, 'bob');
    const aliceSocket = await connectSocket(first, alice.token);
    const bobSocket = await connectSocket(second, bob.token);
    sockets.push(aliceSocket, bobSocket);
    const pushes = collect(bobSocket, 'message');
    const send = (content: string) => emitAck(aliceSocket, 'message:send', { recipientID: bob.id, content });

    const before = await send('before the outage');
    await waitFor(() => pushes.length === 1, 5000, 'the push before the outage');

    await redis.stop();
    await waitForRedis(first, false);
    const during = await send('during the outage');
    const degraded = await redisHealth(first);

    await redis.restart();
    await Promise.all([waitForRedis(first, true), waitForRedis(second, true)]);
    // The subscriber re-subscribes right after reconnecting; give it a moment before relying on fan-out.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const arrival = nextEvent(bobSocket, 'message', (message: { content: string }) => message.content === 'after the outage');
    const after = await send('after the outage');
    await arrival;

    const sync = await api(second, bob).get('/api/messages/sync');
    const missed = sync.body.conversations.flatMap((conversation: { messages: { content: string }[] }) => conversation.messages);

    expect(before.ok).toBe(true);
    expect(during.ok).toBe(true);
    expect(during.data.seq).toBe(2);
    expect(degraded).toMatchObject({ connected: false, degraded: true });
    expect(after.ok).toBe(true);
    expect(pushes.map((message: { content: string }) => message.content)).not.toContain('during the outage');
    expect(missed.map((message: { content: string }) => message.content)).toContain('during the outage');
    expect(first.child.exitCode).toBeNull();
    expect(second.child.exitCode).toBeNull();
  });
  it('falls back to per-instance rate limits while Redis is down', async () => {
    const sender = await registerUser(first, 'open');
    const peer = await registerUser(first, 'openpeer');
    const send = (instance: Instance, i: number) =>
      api(instance, sender)
        .post('/api/messages/send')
        .send({ recipientID: peer.id, content: `m${i}` });

    await redis.stop();
    await Promise.all([waitForRedis(first, false), waitForRedis(second, false)]);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) statuses.push((await send(first, i)).status);
    // Each instance counts only its own traffic, so a shared counter would have rejected these.
    for (let i = RATE_LIMIT; i < 2 * RATE_LIMIT; i++) statuses.push((await send(second, i)).status);
    const overLimit = await send(first, 2 * RATE_LIMIT);

    await redis.restart();
    await Promise.all([waitForRedis(first, true), waitForRedis(second, true)]);

    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    expect(overLimit.status).toBe(429);
    expect(overLimit.body.error).toBe('RATE_LIMITED');
  });

  it('serves presence from local sockets and restores it after a restart', async () => {
    const user = await registerUser(first, 'present');
    const caller = await registerUser(first, 'asker');
    const socket = await connectSocket(first, user.token);
    sockets.push(socket);
    await waitForStatus(second, caller, user.id, 'online', 5000);

    await redis.stop();
    await waitForRedis(first, false);
    const duringOnFirst = await statusOf(first, caller, user.id);

    // The restarted Redis is empty, so only the first instance's heartbeat can write the socket back.
    await redis.restart();
    await waitForStatus(second, caller, user.id, 'online', 10 * HEARTBEAT_MS + 5000);

    expect(duringOnFirst).toBe('online');
    expect(first.child.exitCode).toBeNull();
  });
});
