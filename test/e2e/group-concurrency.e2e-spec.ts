import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { api, collect, connectSocket, emitAck, waitFor } from '../support/clients';
import { describePostgres } from '../support/databases';
import { seedUsers } from '../support/seed';

describePostgres('group send concurrency', () => {
  const SENDERS = 20;
  const MESSAGES_PER_SENDER = 25;
  const TOTAL = SENDERS * MESSAGES_PER_SENDER;
  let app: TestApp;
  let sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startApp({ database: 'postgres', env: { MESSAGE_RATE_LIMIT: '100000' } });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    // Gives the server's disconnect handlers, which write lastSeen, time to finish before the pool closes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await app.close();
  });

  it('numbers and delivers concurrent sends', async () => {
    const [owner, ...members] = await seedUsers(app, 1 + SENDERS + 5);
    const senders = members.slice(0, SENDERS);
    const listeners = members.slice(SENDERS);
    const created = await api(app, owner)
      .post('/api/groups')
      .send({ name: 'load', memberIDs: members.map((member) => member.id) });
    expect(created.status).toBe(201);
    const groupId: string = created.body.id;

    const senderSockets = await Promise.all(senders.map((sender) => connectSocket(app, sender.token)));
    const listenerSockets = await Promise.all(listeners.map((listener) => connectSocket(app, listener.token)));
    sockets = [...senderSockets, ...listenerSockets];
    const received = listenerSockets.map((socket) => collect<{ seq: number }>(socket, 'message'));

    const acked = await Promise.all(
      senderSockets.map(async (socket, sender) => {
        const seqs: number[] = [];
        for (let i = 0; i < MESSAGES_PER_SENDER; i++) {
          const ack = await emitAck<{ seq: number }>(socket, 'message:send', { groupID: groupId, content: `s${sender} m${i}` }, 15_000);
          if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack.error)}`);
          seqs.push(ack.data!.seq);
        }
        return seqs;
      }),
    );
    await waitFor(() => received.every((list) => list.length >= TOTAL), 20_000, `${TOTAL} messages at every listener`);

    const expected = Array.from({ length: TOTAL }, (_, i) => i + 1);
    const stored: { seq: string }[] = await app.dataSource.query('SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq', [
      groupId,
    ]);
    const [conversation] = await app.dataSource.query('SELECT last_seq FROM conversations WHERE id = $1', [groupId]);

    expect(stored.map((row) => Number(row.seq))).toEqual(expected);
    expect(conversation.last_seq).toBe(String(TOTAL));
    expect(acked.flat().sort((a, b) => a - b)).toEqual(expected);
    for (const list of received) {
      expect(list.map((message) => message.seq).sort((a, b) => a - b)).toEqual(expected);
    }
  });
});
