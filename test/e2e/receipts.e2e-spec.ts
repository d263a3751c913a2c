import { Socket } from 'socket.io-client';
import { QueryCounter } from '../../src/database/query-counter';
import { startApp, TestApp } from '../support/app';
import { api, collect, connectSocket, emitAck, nextEvent, registerUser, TestUser } from '../support/clients';
import { describeEachDatabase } from '../support/databases';
import { seedGroupsWithMessages, seedUsers } from '../support/seed';

interface ReceiptEvent {
  conversationID: string;
  userID: string;
  seq: number;
}

describeEachDatabase('receipts and unread', (database) => {
  let app: TestApp;
  let sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startApp({ database });
  });

  afterEach(() => {
    for (const socket of sockets) socket.close();
    sockets = [];
  });

  afterAll(async () => {
    await app.close();
  });

  async function connect(user: TestUser): Promise<Socket> {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  }

  /** Send `count` direct messages and return the conversation id. */
  async function sendDirect(sender: TestUser, recipient: TestUser, count: number): Promise<string> {
    let conversationId = '';
    for (let i = 1; i <= count; i++) {
      const response = await api(app, sender)
        .post('/api/messages/send')
        .send({ recipientID: recipient.id, content: `message ${i}` });
      expect(response.status).toBe(201);
      conversationId = response.body.conversationID;
    }
    return conversationId;
  }

  async function watermarks(conversationId: string, userId: string) {
    const [row] = await app.dataSource.query(
      'SELECT last_delivered_seq, last_read_seq FROM conversation_members WHERE conversation_id = $1 AND user_id = $2',
      [conversationId, userId],
    );
    return { delivered: Number(row.last_delivered_seq), read: Number(row.last_read_seq) };
  }

  /** Resolves once every event the server pushed to this socket before the call has arrived. */
  async function drain(socket: Socket): Promise<void> {
    expect((await emitAck(socket, 'ping')).data).toBe('pong');
  }

  it('ignores a late read of 5 after 10', async () => {
    const [alice, bob] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const conversationId = await sendDirect(alice, bob, 12);

    const first = await api(app, bob).post('/api/messages/read').send({ conversationID: conversationId, seq: 10 });
    const late = await api(app, bob).post('/api/messages/read').send({ conversationID: alice.id, seq: 5 });
    const unread = await api(app, bob).get('/api/messages/unread');

    expect(first.status).toBe(200);
    expect(first.body).toEqual({ conversationID: conversationId, lastReadSeq: 10, unread: 2 });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({ conversationID: conversationId, lastReadSeq: 10, unread: 2 });
    expect(unread.body).toEqual({ total: 2, conversations: [{ conversationID: conversationId, unread: 2 }] });
    expect(await watermarks(conversationId, bob.id)).toEqual({ delivered: 10, read: 10 });
  });

  it('clamps a seq beyond the newest message', async () => {
    const [alice, bob] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const conversationId = await sendDirect(alice, bob, 3);

    const response = await api(app, bob).post('/api/messages/read').send({ conversationID: conversationId, seq: 1000 });

    expect(response.body).toEqual({ conversationID: conversationId, lastReadSeq: 3, unread: 0 });
    expect(await watermarks(conversationId, bob.id)).toEqual({ delivered: 3, read: 3 });
  });

  it('shows delivered and read in the sender history', async () => {
    const [alice, bob] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const conversationId = await sendDirect(alice, bob, 4);
    const bobSocket = await connect(bob);

    await emitAck(bobSocket, 'message:delivered', { conversationID: conversationId, seq: 3 });
    await api(app, bob).post('/api/messages/read').send({ conversationID: conversationId, seq: 2 });
    const history = await api(app, alice).get(`/api/messages/history/${conversationId}`);

    const flags = history.body.messages.map((message: { seq: number; delivered: boolean; read: boolean }) => [
      message.seq,
      message.delivered,
      message.read,
    ]);
    expect(flags).toEqual([
      [1, true, true],
      [2, true, true],
      [3, true, false],
      [4, false, false],
    ]);
  });

  it('pushes receipts only when watermarks move', async () => {
    const [alice, bob] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const conversationId = await sendDirect(alice, bob, 3);
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    const delivered = collect<ReceiptEvent>(aliceSocket, 'message:delivered');
    const read = collect<ReceiptEvent>(aliceSocket, 'message:read');
    const echoedDelivered = collect(bobSocket, 'message:delivered');
    const echoedRead = collect(bobSocket, 'message:read');

    const firstAck = await emitAck(bobSocket, 'message:delivered', { conversationID: alice.id, seq: 2 });
    const staleAck = await emitAck(bobSocket, 'message:delivered', { conversationID: conversationId, seq: 1 });
    await emitAck(bobSocket, 'message:read', { conversationID: conversationId, seq: 1 });
    const lastRead = nextEvent<ReceiptEvent>(aliceSocket, 'message:read', (event) => event.seq === 3);
    const readAck = await emitAck(bobSocket, 'message:read', { conversationID: conversationId, seq: 3 });
    await lastRead;
    await drain(aliceSocket);
    await drain(bobSocket);

    expect(firstAck).toEqual({ ok: true, data: { conversationID: conversationId, lastDeliveredSeq: 2 } });
    expect(staleAck).toEqual({ ok: true, data: { conversationID: conversationId, lastDeliveredSeq: 2 } });
    expect(readAck).toEqual({ ok: true, data: { conversationID: conversationId, lastReadSeq: 3, unread: 0 } });
    expect(delivered).toEqual([
      { conversationID: conversationId, userID: bob.id, seq: 2 },
      { conversationID: conversationId, userID: bob.id, seq: 3 },
    ]);
    expect(read).toEqual([
      { conversationID: conversationId, userID: bob.id, seq: 1 },
      { conversationID: conversationId, userID: bob.id, seq: 3 },
    ]);
    expect(echoedDelivered).toEqual([]);
    expect(echoedRead).toEqual([]);
  });

  it('pushes reads to the reader devices', async () => {
    const [alice, bob] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const conversationId = await sendDirect(alice, bob, 3);
    const phone = await connect(bob);
    const laptop = await connect(bob);
    const atLaptop = collect(laptop, 'conversation:read');

    await emitAck(phone, 'message:read', { conversationID: conversationId, seq: 2 });
    await emitAck(phone, 'message:read', { conversationID: conversationId, seq: 1 });
    const last = nextEvent(laptop, 'conversation:read', (event: { lastReadSeq: number }) => event.lastReadSeq === 3);
    await api(app, bob).post('/api/messages/read').send({ conversationID: conversationId, seq: 3 });
    await last;
    await drain(laptop);

    expect(atLaptop).toEqual([
      { conversationID: conversationId, lastReadSeq: 2, unread: 1 },
      { conversationID: conversationId, lastReadSeq: 3, unread: 0 },
    ]);
  });

  it('marks group messages read when all have', async () => {
    const [owner, alice, bob] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const created = await api(app, owner)
      .post('/api/groups')
      .send({ name: 'readers', memberIDs: [alice.id, bob.id] });
    const groupId: string = created.body.id;
    await api(app, owner).post('/api/messages/send').send({ groupID: groupId, content: 'read me' });
    const ownerSocket = await connect(owner);
    const bobSocket = await connect(bob);

    const seenByOwner = nextEvent<ReceiptEvent>(ownerSocket, 'message:read');
    const seenByBob = nextEvent<ReceiptEvent>(bobSocket, 'message:read');
    await api(app, alice).post('/api/messages/read').send({ conversationID: groupId, seq: 1 });
    const halfRead = await api(app, owner).get(`/api/messages/history/${groupId}`);
    await api(app, bob).post('/api/messages/read').send({ conversationID: groupId, seq: 1 });
    const allRead = await api(app, owner).get(`/api/messages/history/${groupId}`);

    expect(await seenByOwner).toEqual({ conversationID: groupId, userID: alice.id, seq: 1 });
    expect(await seenByBob).toEqual({ conversationID: groupId, userID: alice.id, seq: 1 });
    expect(halfRead.body.messages[0]).toMatchObject({ delivered: false, read: false });
    expect(allRead.body.messages[0]).toMatchObject({ delivered: true, read: true });
  });

  it('rejects receipts from a non-member with NOT_FOUND', async () => {
    const [alice, bob, outsider] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob'), registerUser(app, 'out')]);
    const conversationId = await sendDirect(alice, bob, 1);
    const outsiderSocket = await connect(outsider);

    const read = await api(app, outsider).post('/api/messages/read').send({ conversationID: conversationId, seq: 1 });
    const byPeerId = await api(app, outsider).post('/api/messages/read').send({ conversationID: alice.id, seq: 1 });
    const delivered = await emitAck(outsiderSocket, 'message:delivered', { conversationID: conversationId, seq: 1 });

    expect(read.status).toBe(404);
    expect(read.body.error).toBe('NOT_FOUND');
    expect(byPeerId.status).toBe(404);
    expect(delivered.ok).toBe(false);
    expect(delivered.error?.error).toBe('NOT_FOUND');
    expect(await watermarks(conversationId, bob.id)).toEqual({ delivered: 0, read: 0 });
  });

  it.each([
    ['seq 0', { seq: 0 }, 'seq'],
    ['a fractional seq', { seq: 1.5 }, 'seq'],
    ['a conversationID that is not a UUID', { conversationID: 'nope' }, 'conversationID'],
    ['an unknown field', { extra: 1 }, 'extra'],
  ])('rejects a receipt with %s', async (_case, override, field) => {
    const [alice, bob] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const conversationId = await sendDirect(alice, bob, 1);
    const bobSocket = await connect(bob);
    const body = { conversationID: conversationId, seq: 1, ...override };

    const rest = await api(app, bob).post('/api/messages/read').send(body);
    const socket = await emitAck(bobSocket, 'message:delivered', body);

    expect(rest.status).toBe(400);
    expect(rest.body.error).toBe('VALIDATION_FAILED');
    expect(rest.body.details.map((detail: { field: string }) => detail.field)).toContain(field);
    expect(socket.ok).toBe(false);
    expect(socket.error?.error).toBe('VALIDATION_FAILED');
  });

  it('matches the conversation list unread', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(app, 'ali'), registerUser(app, 'bob'), registerUser(app, 'car')]);
    const direct = await sendDirect(alice, bob, 4);
    const created = await api(app, carol)
      .post('/api/groups')
      .send({ name: 'mixed', memberIDs: [bob.id] });
    const groupId: string = created.body.id;
    for (let i = 0; i < 2; i++)
      await api(app, carol)
        .post('/api/messages/send')
        .send({ groupID: groupId, content: `g${i}` });
    await api(app, bob).post('/api/messages/read').send({ conversationID: direct, seq: 1 });

    const unread = await api(app, bob).get('/api/messages/unread');
    const list = await api(app, bob).get('/api/conversations');

    const fromList = Object.fromEntries(
      list.body.map((conversation: { id: string; unread: number }) => [conversation.id, conversation.unread]),
    );
    const fromUnread = Object.fromEntries(
      unread.body.conversations.map((entry: { conversationID: string; unread: number }) => [entry.conversationID, entry.unread]),
    );
    expect(fromUnread).toEqual({ [direct]: 3, [groupId]: 2 });
    expect(fromList).toEqual(fromUnread);
    expect(unread.body.total).toBe(5);
  });

  it('counts unread in constant queries', async () => {
    const [few, many, sender] = await seedUsers(app, 3);
    await seedGroupsWithMessages(app, few.id, sender.id, 2, 3);
    await seedGroupsWithMessages(app, many.id, sender.id, 200, 3);
    const counter = app.app.get(QueryCounter);

    const beforeFew = counter.queries;
    const fewResponse = await api(app, few).get('/api/messages/unread');
    const fewQueries = counter.queries - beforeFew;
    const beforeMany = counter.queries;
    const manyResponse = await api(app, many).get('/api/messages/unread');
    const manyQueries = counter.queries - beforeMany;

    expect(fewResponse.body.total).toBe(6);
    expect(fewResponse.body.conversations).toHaveLength(2);
    expect(manyResponse.body.total).toBe(600);
    expect(manyResponse.body.conversations).toHaveLength(200);
    expect(fewQueries).toBeGreaterThan(0);
    expect(manyQueries).toBe(fewQueries);
  });
});
