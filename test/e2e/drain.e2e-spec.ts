import { Client } from 'pg';
import { Socket } from 'socket.io-client';
import { CLUSTER_KEY_PREFIX, clusterEnv, deleteRedisKeys, describeScaleOut } from '../support/scale-out';
import { Instance, startInstance } from '../support/cluster';
import { AckEnvelope, api, connectSocket, emitAck, registerUser } from '../support/clients';

const IN_FLIGHT = 20;
/** Process exit after SIGTERM, drain included. */
const EXIT_BOUND_MS = 30_000;

/** Count this database's sessions that wait for a lock. */
async function lockWaiters(db: Client): Promise<number> {
  const result = await db.query<{ count: string }>(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return Number(result.rows[0].count);
}

describeScaleOut('drain', () => {
  let victim: Instance;
  let survivor: Instance;
  let db: Client;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // The victim's pool has room beyond the blocked sends, so its health check can still reach the database.
    // Sends that queue behind the blocked batch would fail after DATABASE_CONNECT_TIMEOUT_MS, so it is raised.
    [victim, survivor] = await Promise.all([
      startInstance(clusterEnv({ DATABASE_POOL_SIZE: String(IN_FLIGHT + 5), DATABASE_CONNECT_TIMEOUT_MS: '15000' })),
      startInstance(clusterEnv()),
    ]);
    db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([victim?.stop('SIGKILL'), survivor?.stop()]);
    await db?.end();
    await deleteRedisKeys(process.env.REDIS_URL!, CLUSTER_KEY_PREFIX);
  });

  it('finishes in-flight sends on SIGTERM and exits', async () => {
    const alice = await registerUser(survivor, 'drainer');
    const bob = await registerUser(survivor, 'drainee');
    const first = await api(survivor, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'before' });
    const conversationId = first.body.conversationID as string;
    const socket = await connectSocket(victim, alice.token);
    sockets.push(socket);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    // Hold the conversation's row lock, so the sends stay in flight until the lock is released.
    await db.query('BEGIN');
    await db.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [conversationId]);
    const sends: Promise<AckEnvelope>[] = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      sends.push(
        emitAck(socket, 'message:send', { recipientID: bob.id, content: `in flight ${i}`, clientMessageId: `drain-${i}` }, 20_000),
      );
    }
    const deadline = Date.now() + 5000;
    while ((await lockWaiters(db)) === 0) {
      if (Date.now() > deadline) throw new Error('no send reached the database within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const healthBefore = await fetch(`${victim.url}/health`);

    const terminatedAt = Date.now();
    const exited = victim.stop('SIGTERM');
    let health = await fetch(`${victim.url}/health`);
    while (health.status === 200 && Date.now() - terminatedAt < 5000) health = await fetch(`${victim.url}/health`);
    const healthBody = (await health.json()) as { error: string };
    const handshake = await connectSocket(victim, alice.token).then(
      (late) => {
        late.close();
        return 'connected';
      },
      (error: Error) => error.message,
    );
    const lateSend = await emitAck(socket, 'message:send', { recipientID: bob.id, content: 'too late', clientMessageId: 'drain-late' });

    await db.query('COMMIT');
    const acks = await Promise.all(sends);
    const code = await exited;
    const exitAfterMs = Date.now() - terminatedAt;

    expect(healthBefore.status).toBe(200);
    expect(health.status).toBe(503);
    expect(healthBody.error).toBe('SERVICE_UNAVAILABLE');
    expect(handshake).toBe('SERVICE_UNAVAILABLE');
    expect(lateSend.ok).toBe(false);
    expect(lateSend.error?.error).toBe('SERVICE_UNAVAILABLE');
    expect(acks.filter((ack) => !ack.ok)).toEqual([]);
    expect(code).toBe(0);
    expect(exitAfterMs).toBeLessThan(EXIT_BOUND_MS);
    expect(await disconnected).toBe('transport close');

    const ids = acks.map((ack) => ack.data.id as string);
    const stored = await db.query<{ id: string; client_message_id: string }>(
      'SELECT id, client_message_id FROM messages WHERE conversation_id = $1',
      [conversationId],
    );
    const storedIds = stored.rows.map((row) => row.id);
    expect(ids.filter((id) => !storedIds.includes(id))).toEqual([]);
    expect(stored.rows).toHaveLength(IN_FLIGHT + 1);
    expect(stored.rows.map((row) => row.client_message_id)).not.toContain('drain-late');
  });
});
