import Redis from 'ioredis';
import { Socket } from 'socket.io-client';
import { CLUSTER_KEY_PREFIX, clusterEnv, deleteRedisKeys, describeScaleOut } from '../support/scale-out';
import { startInstance, Instance } from '../support/cluster';
import { api, collect, connectSocket, emitAck, nextEvent, registerUser, TestUser, waitFor } from '../support/clients';

interface PresenceEvent {
  userID: string;
  status: 'online' | 'away' | 'offline';
  lastSeen: string | null;
}

const GRACE_MS = 300;
const TTL_MS = 1500;
const HEARTBEAT_MS = 300;
/** The documented bound for the users of a killed instance: max(TTL, grace) + heartbeat. */
const KILLED_OFFLINE_BOUND_MS = Math.max(TTL_MS, GRACE_MS) + HEARTBEAT_MS;
const env = clusterEnv({
  PRESENCE_GRACE_MS: String(GRACE_MS),
  PRESENCE_TTL_MS: String(TTL_MS),
  PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeScaleOut('scale-out', () => {
  let first: Instance;
  let second: Instance;
  const sockets: Socket[] = [];

  const connect = async (instance: Instance, user: TestUser) => {
    const socket = await connectSocket(instance, user.token);
    sockets.push(socket);
    return socket;
  };

  /** Collect a contact's presence events about one user. */
  const presenceOf = (socket: Socket, userId: string) => {
    const events = collect<PresenceEvent>(socket, 'presence');
    return () => events.filter((event) => event.userID === userId);
  };

  beforeAll(async () => {
    [first, second] = await Promise.all([startInstance(env), startInstance(env)]);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await deleteRedisKeys(process.env.REDIS_URL!, CLUSTER_KEY_PREFIX);
  });

  it('pushes a direct message across instances', async () => {
    const alice = await registerUser(first, 'alice');
    const bob = await registerUser(second, 'bob');
    const bobSocket = await connect(second, bob);
    const aliceOther = await connect(second, alice);

    const arrivals = [nextEvent(bobSocket, 'message'), nextEvent(aliceOther, 'message')];
    const sent = await api(first, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'across instances' });

    expect(sent.status).toBe(201);
    for (const pushed of await Promise.all(arrivals)) expect(pushed).toEqual(sent.body);
  });

  it('pushes a group message across instances', async () => {
    const owner = await registerUser(first, 'gowner');
    const member = await registerUser(second, 'gmember');
    const created = await api(first, owner)
      .post('/api/groups')
      .send({ name: 'across', memberIDs: [member.id] });
    expect(created.status).toBe(201);
    const memberSocket = await connect(second, member);

    const arrival = nextEvent(memberSocket, 'message');
    const sent = await api(first, owner).post('/api/messages/send').send({ groupID: created.body.id, content: 'to the group' });

    expect(sent.status).toBe(201);
    expect(await arrival).toEqual(sent.body);
  });

  it('moves a socket on another instance into a joined group', async () => {
    const owner = await registerUser(first, 'jowner');
    const joiner = await registerUser(first, 'joiner');
    const created = await api(first, owner).post('/api/groups').send({ name: 'joinable' });
    const groupId = created.body.id as string;
    const joinerSocket = await connect(second, joiner);

    const joinedEvent = nextEvent(joinerSocket, 'group:member-joined');
    const joined = await api(first, joiner).post(`/api/groups/${groupId}/join`);
    expect(joined.status).toBe(200);
    // The event goes to the group's room, so it arrives only once the socket is in it.
    expect(await joinedEvent).toEqual({ groupID: groupId, userID: joiner.id });

    const arrival = nextEvent(joinerSocket, 'message');
    const sent = await api(first, owner).post('/api/messages/send').send({ groupID: groupId, content: 'welcome' });
    expect(await arrival).toEqual(sent.body);
  });

  it('keeps a user online until sockets on both instances close', async () => {
    const user = await registerUser(first, 'twoinst');
    const contact = await registerUser(first, 'watcher');
    await api(first, contact).post('/api/messages/send').send({ recipientID: user.id, content: 'hello' });
    const seenOnFirst = presenceOf(await connect(first, contact), user.id);
    const seenOnSecond = presenceOf(await connect(second, contact), user.id);

    const onFirst = await connect(first, user);
    const onSecond = await connect(second, user);
    await waitFor(() => seenOnFirst().length === 1 && seenOnSecond().length === 1, 5000, 'online event');
    onFirst.close();
    await sleep(GRACE_MS + 2 * HEARTBEAT_MS + 300);

    for (const instance of [first, second]) {
      const status = await api(instance, contact).get(`/api/users/${user.id}/status`);
      expect(status.body.status).toBe('online');
    }

    const closedAt = Date.now();
    onSecond.close();
    await waitFor(() => seenOnFirst().length === 2 && seenOnSecond().length === 2, 5000, 'offline event');
    const offlineAfterMs = Date.now() - closedAt;
    await sleep(GRACE_MS + 2 * HEARTBEAT_MS);

    for (const seen of [seenOnFirst, seenOnSecond]) {
      expect(seen().map((event) => event.status)).toEqual(['online', 'offline']);
      expect(seen()[1].lastSeen).not.toBeNull();
    }
    expect(offlineAfterMs).toBeGreaterThanOrEqual(GRACE_MS - 20);
    const status = await api(second, contact).get(`/api/users/${user.id}/status`);
    expect(status.body).toEqual({ userID: user.id, status: 'offline', lastSeen: seenOnFirst()[1].lastSeen });
  });

  it('turns the users of a killed instance offline within the bound', async () => {
    const third = await startInstance(env);
    try {
      const user = await registerUser(first, 'victim');
      const contact = await registerUser(first, 'mourner');
      await api(first, contact).post('/api/messages/send').send({ recipientID: user.id, content: 'hello' });
      const seen = presenceOf(await connect(first, contact), user.id);
      await connect(third, user);
      await waitFor(() => seen().length === 1, 5000, 'online event');

      const killedAt = Date.now();
      await third.stop('SIGKILL');
      await waitFor(() => seen().length === 2, KILLED_OFFLINE_BOUND_MS + 5000, 'offline event');
      const offlineAfterMs = Date.now() - killedAt;
      await sleep(2 * HEARTBEAT_MS);

      expect(seen().map((event) => event.status)).toEqual(['online', 'offline']);
      // Slack for process scheduling on a busy machine.
      expect(offlineAfterMs).toBeLessThanOrEqual(KILLED_OFFLINE_BOUND_MS + 1000);
      const status = await api(first, contact).get(`/api/users/${user.id}/status`);
      expect(status.body).toEqual({ userID: user.id, status: 'offline', lastSeen: seen()[1].lastSeen });
    } finally {
      await third.stop('SIGKILL');
    }
  });

  it('shares the message rate limit across instances', async () => {
    const sender = await registerUser(first, 'rate');
    const peer = await registerUser(first, 'peer');
    const socket = await connect(second, sender);
    const body = (i: number) => ({ recipientID: peer.id, content: `m${i}` });

    for (let i = 0; i < 60; i++) {
      const response = await api(first, sender).post('/api/messages/send').send(body(i));
      expect(response.status).toBe(201);
    }
    for (let i = 60; i < 100; i++) {
      const ack = await emitAck(socket, 'message:send', body(i));
      expect(ack.ok).toBe(true);
    }
    const last = await emitAck(socket, 'message:send', body(100));

    expect(last.ok).toBe(false);
    expect(last.error?.error).toBe('RATE_LIMITED');
  });

  it('keeps every Redis key below the prefix', async () => {
    const user = await registerUser(first, 'prefix');
    await api(second, user).get('/api/users/me');
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const prefixed = await redis.keys(`${CLUSTER_KEY_PREFIX}throttle:*${user.id}*`);
      const bare = await redis.keys(`throttle:*${user.id}*`);
      const channels = await redis.pubsub('CHANNELS', `${CLUSTER_KEY_PREFIX}socket.io*`);

      expect(prefixed.length).toBeGreaterThan(0);
      expect(bare).toEqual([]);
      expect(channels.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('reports Redis in the health check', async () => {
    const health = (await fetch(`${first.url}/health`).then((response) => response.json())) as { details: Record<string, unknown> };

    expect(health.details.redis).toMatchObject({ status: 'up', mode: 'multi-instance', connected: true });
  });
});
