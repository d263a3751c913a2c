import request from 'supertest';
import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { AckEnvelope, api, connectSocket, emitAck, TestUser } from '../support/clients';
import { describeEachDatabase } from '../support/databases';
import { seedUsers } from '../support/seed';

interface Sent {
  id: string;
  seq: number;
  conversationID: string;
  clientMessageId?: string;
}

/** Sends in one batch are stored by one database call; see chat_send_batch_size. */
async function batchTotals(app: TestApp): Promise<{ count: number; sum: number }> {
  const text = (await request(app.url).get('/metrics')).text;
  const value = (name: string) => Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? 0);
  return { count: value('chat_send_batch_size_count'), sum: value('chat_send_batch_size_sum') };
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

  it('gives one socket’s pipelined sends ascending seq', async () => {
    const bob = users[1];
    const aliceSocket = sockets[0];

    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => emitAck<Sent>(aliceSocket, 'message:send', { recipientID: bob.id, content: `ordered ${i}` }, 15_000)),
    );

    expect(acks.every((ack) => ack.ok)).toBe(true);
    const seqs = acks.map((ack) => ack.data!.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
