import request from 'supertest';
import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { AckEnvelope, api, connectSocket, emitAck, TestUser } from '../support/clients';
import { describeEachDatabase, describePostgres } from '../support/databases';
import { seedUsers } from '../support/seed';

interface Sent {
  id: string;
  seq: number;
  conversationID: string;
  clientMessageId?: string;
}

/** Read one unlabelled sample from the app's /metrics, 0 when it is missing. */
async function counter(app: TestApp, name: string): Promise<number> {
  const text = (await request(app.url).get('/metrics')).text;
  return Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${name} `))
      ?.split(' ')[1] ?? 0,
  );
}

/** Database calls that stored sends, and the sends they stored (chat_send_batch_size). */
async function batchTotals(app: TestApp): Promise<{ count: number; sum: number }> {
  return { count: await counter(app, 'chat_send_batch_size_count'), sum: await counter(app, 'chat_send_batch_size_sum') };
}

describeEachDatabase('sends stored in batches', (database) => {
  let app: TestApp;
  let users: TestUser[];
  let groupId: string;
  let sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startApp({ database, env: { MESSAGE_RATE_LIMIT: '100000' } });
    users = await seedUsers(app, 6);
    const created = await api(app, users[0])
      .post('/api/groups')
      .send({ name: 'batch', memberIDs: users.slice(1, 4).map((user) => user.id) });
    expect(created.status).toBe(201);
    groupId = created.body.id;
    sockets = await Promise.all(users.map((user) => connectSocket(app, user.token)));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.close();
  });

  it('stores a burst of mixed sends', async () => {
    const before = await batchTotals(app);
    const [alice, bob, carol] = users;
    const [aliceSocket, bobSocket, carolSocket, , , outsiderSocket] = sockets;

    // Emitted without waiting, so they reach the server together and share batches.
    const pending: Promise<AckEnvelope<Sent>>[] = [];
    const emit = (socket: Socket, payload: object) => pending.push(emitAck<Sent>(socket, 'message:send', payload, 15_000));
    for (let i = 0; i < 10; i++) {
      emit(aliceSocket, { groupID: groupId, content: `a${i}` });
      emit(bobSocket, { groupID: groupId, content: `b${i}` });
      emit(carolSocket, { recipientID: alice.id, content: `c${i}` });
    }
    // The first messages of a new direct conversation, from both sides at once.
    emit(bobSocket, { recipientID: carol.id, content: 'first from bob' });
    emit(carolSocket, { recipientID: bob.id, content: 'first from carol' });
    // One clientMessageId three times in the same burst.
    for (let i = 0; i < 3; i++) emit(aliceSocket, { recipientID: bob.id, content: 'once', clientMessageId: 'burst-1' });
    // A sender outside the group, and a recipient that does not exist.
    emit(outsiderSocket, { groupID: groupId, content: 'not a member' });
    emit(aliceSocket, { recipientID: '00000000-0000-4000-8000-000000000000', content: 'nobody' });

    const acks = await Promise.all(pending);
    const failures = acks.filter((ack) => !ack.ok);
    const stored = acks.filter((ack) => ack.ok).map((ack) => ack.data!);

    expect(failures.map((ack) => ack.error!.error)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(stored).toHaveLength(acks.length - 2);

    const retried = stored.filter((message) => message.clientMessageId === 'burst-1');
    expect(new Set(retried.map((message) => message.id)).size).toBe(1);
    const [{ count }] = await app.dataSource.query(
      `SELECT count(*)::int AS count FROM messages WHERE sender_id = $1 AND client_message_id = 'burst-1'`,
      [alice.id],
    );
    expect(count).toBe(1);

    const conversations: { id: string; last_seq: string; seqs: string[] }[] = await app.dataSource.query(
      `SELECT c.id, c.last_seq, array_agg(m.seq ORDER BY m.seq)::text[] AS seqs
       FROM conversations c JOIN messages m ON m.conversation_id = c.id
       WHERE c.id IN (SELECT conversation_id FROM conversation_members WHERE user_id = ANY($1::uuid[]))
       GROUP BY c.id`,
      [users.map((user) => user.id)],
    );
    expect(conversations).toHaveLength(4);
    for (const conversation of conversations) {
      const expected = Array.from({ length: Number(conversation.last_seq) }, (_, i) => String(i + 1));
      expect(conversation.seqs).toEqual(expected);
    }
    const groupSeqs = stored.filter((message) => message.conversationID === groupId).map((message) => message.seq);
    expect(groupSeqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

    // At least one database call stored more than one send.
    const after = await batchTotals(app);
    expect(after.sum - before.sum).toBeGreaterThan(after.count - before.count);
  });

  it('keeps the order of pipelined sends to a new conversation', async () => {
    const [, , , dave, erin] = users;
    const daveSocket = sockets[3];

    const first = emitAck<Sent>(daveSocket, 'message:send', { recipientID: erin.id, content: 'first' }, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const rest = Array.from({ length: 10 }, (_, i) =>
      emitAck<Sent>(daveSocket, 'message:send', { recipientID: erin.id, content: `next ${i}` }, 15_000),
    );
    const acks = await Promise.all([first, ...rest]);

    expect(acks.every((ack) => ack.ok)).toBe(true);
    expect(acks.map((ack) => ack.data!.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    const history = await api(app, dave).get(`/api/messages/history/${erin.id}`);
    expect(history.body.messages.map((message: { content: string }) => message.content)).toEqual([
      'first',
      ...Array.from({ length: 10 }, (_, i) => `next ${i}`),
    ]);
  });

  it('opens no conversation for a rejected first send', async () => {
    const [alice, , , dave] = users;
    const [aliceSocket] = sockets;
    const reused = await emitAck<Sent>(aliceSocket, 'message:send', { groupID: groupId, content: 'original', clientMessageId: 'reused-1' });
    expect(reused.ok).toBe(true);

    const conflict = await emitAck<Sent>(aliceSocket, 'message:send', {
      recipientID: dave.id,
      content: 'elsewhere',
      clientMessageId: 'reused-1',
    });

    expect(conflict.error?.error).toBe('CONFLICT');
    const conversations = await api(app, dave).get('/api/conversations');
    const withAlice = conversations.body.filter((conversation: { peer?: { id: string } }) => conversation.peer?.id === alice.id);
    expect(withAlice).toEqual([]);
  });

  it('gives one socket’s pipelined sends ascending seq', async () => {
    const bob = users[1];
    const aliceSocket = sockets[0];

    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        emitAck<Sent>(aliceSocket, 'message:send', { recipientID: bob.id, content: `ordered ${i}` }, 15_000),
      ),
    );

    expect(acks.every((ack) => ack.ok)).toBe(true);
    const seqs = acks.map((ack) => ack.data!.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});

describePostgres('send backpressure', () => {
  let app: TestApp;
  let socket: Socket;

  beforeAll(async () => {
    app = await startApp({ database: 'postgres', env: { DATABASE_CONNECT_TIMEOUT_MS: '400', MESSAGE_RATE_LIMIT: '100000' } });
  });

  afterAll(async () => {
    socket?.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.close();
  });

  it('rejects sends while the batcher is backlogged', async () => {
    const [alice, bob] = await seedUsers(app, 2);
    const created = await api(app, alice)
      .post('/api/groups')
      .send({ name: 'stuck', memberIDs: [bob.id] });
    expect(created.status).toBe(201);
    const groupID: string = created.body.id;
    socket = await connectSocket(app, alice.token);
    const shedBefore = await counter(app, 'chat_sends_shed_total');

    // Another session holds the group's row lock, so the first batch waits for it.
    const blocker = app.dataSource.createQueryRunner();
    await blocker.startTransaction();
    await blocker.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [groupID]);

    const first = emitAck<Sent>(socket, 'message:send', { groupID, content: 'first' }, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queued = emitAck<Sent>(socket, 'message:send', { groupID, content: 'queued' }, 10_000);
    // Past half of DATABASE_CONNECT_TIMEOUT_MS the batcher is backlogged, past all of it the queued send expires.
    await new Promise((resolve) => setTimeout(resolve, 450));
    const shed = await emitAck<Sent>(socket, 'message:send', { groupID, content: 'shed' }, 10_000);
    await blocker.commitTransaction();
    await blocker.release();

    expect(shed.ok).toBe(false);
    expect(shed.error).toMatchObject({ code: 503, error: 'SERVICE_UNAVAILABLE', retryAfterMs: 1000 });
    expect((await first).ok).toBe(true);
    expect((await queued).error?.error).toBe('SERVICE_UNAVAILABLE');
    expect(await counter(app, 'chat_sends_shed_total')).toBe(shedBefore + 1);

    const after = await emitAck<Sent>(socket, 'message:send', { groupID, content: 'after' });
    expect(after.ok).toBe(true);
    expect(after.data!.seq).toBe(2);
  });
});
