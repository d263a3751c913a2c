import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { describeEachDatabase } from '../support/databases';
import { api, collect, connectSocket, emitAck, nextEvent, registerUser, TestUser, waitFor } from '../support/clients';

describeEachDatabase('direct messages', (database) => {
  let app: TestApp;
  const sockets: Socket[] = [];

  const connect = async (user: TestUser) => {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    app = await startApp({ database });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await app.close();
  });

  it('pushes a REST send to every socket of both users', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const bobPhone = await connect(bob);
    const bobLaptop = await connect(bob);
    const aliceTablet = await connect(alice);

    const arrivals = [bobPhone, bobLaptop, aliceTablet].map((socket) => nextEvent(socket, 'message'));
    const response = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'hi bob' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      seq: 1,
      senderID: alice.id,
      recipientID: bob.id,
      content: 'hi bob',
      messageType: 'text',
      delivered: false,
      read: false,
    });
    for (const pushed of await Promise.all(arrivals)) expect(pushed).toEqual(response.body);
  });

  it('acknowledges a socket send with the stored message', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);

    const arrival = nextEvent(bobSocket, 'message');
    const ack = await emitAck(aliceSocket, 'message:send', { recipientID: bob.id, content: 'over the socket' });
    const history = await api(app, bob).get(`/api/messages/history/${alice.id}`);

    expect(ack.ok).toBe(true);
    expect(ack.data).toMatchObject({ seq: 1, senderID: alice.id, recipientID: bob.id, content: 'over the socket' });
    expect(await arrival).toEqual(ack.data);
    expect(history.body.messages).toEqual([ack.data]);
  });

  it('treats upper-case ids as the same users', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const first = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'lower' });
    const bobSocket = await connect(bob);

    const arrival = nextEvent(bobSocket, 'message');
    const upper = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id.toUpperCase(), content: 'upper' });
    const toSelf = await api(app, alice).post('/api/messages/send').send({ recipientID: alice.id.toUpperCase(), content: 'me' });
    const history = await api(app, bob).get(`/api/messages/history/${alice.id.toUpperCase()}`);

    expect(upper.status).toBe(201);
    expect(upper.body.conversationID).toBe(first.body.conversationID);
    expect(upper.body.recipientID).toBe(bob.id);
    expect(upper.body.seq).toBe(2);
    expect((await arrival).id).toBe(upper.body.id);
    expect(toSelf.status).toBe(400);
    expect(history.body.messages.map((message: { content: string }) => message.content)).toEqual(['lower', 'upper']);
  });

  it('answers ping with pong', async () => {
    const alice = await registerUser(app, 'ping');
    const socket = await connect(alice);

    expect(await emitAck(socket, 'ping')).toEqual({ ok: true, data: 'pong' });
  });

  it('rejects unknown events through the ack', async () => {
    const alice = await registerUser(app, 'unknown');
    const socket = await connect(alice);

    for (const event of ['no-such-event', 'message', 'exception']) {
      const ack = await emitAck(socket, event, {});
      expect(ack.ok).toBe(false);
      expect(ack.error).toMatchObject({ code: 404, error: 'NOT_FOUND' });
      expect(ack.error?.message).toContain(`"${event}"`);
    }
  });

  it('stores one row for a retried clientMessageId and pushes it once', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const bobSocket = await connect(bob);
    const pushes = collect(bobSocket, 'message');
    const body = { recipientID: bob.id, content: 'exactly once', clientMessageId: 'retry-1' };

    const first = await api(app, alice).post('/api/messages/send').send(body);
    const retry = await api(app, alice).post('/api/messages/send').send(body);
    const socketRetry = await emitAck(await connect(alice), 'message:send', body);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rows = await app.dataSource.query('SELECT count(*)::int AS n FROM messages WHERE sender_id = $1', [alice.id]);

    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.seq).toBe(first.body.seq);
    expect(socketRetry.data.id).toBe(first.body.id);
    expect(rows[0].n).toBe(1);
    expect(pushes).toHaveLength(1);
  });

  it('stores one row for concurrent sends with one clientMessageId', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const bobSocket = await connect(bob);
    const pushes = collect(bobSocket, 'message');
    const body = { recipientID: bob.id, content: 'racing', clientMessageId: 'race-1' };

    const responses = await Promise.all(Array.from({ length: 8 }, () => api(app, alice).post('/api/messages/send').send(body)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rows = await app.dataSource.query('SELECT seq FROM messages WHERE sender_id = $1', [alice.id]);
    const conversation = await app.dataSource.query(
      'SELECT c.last_seq::int AS last_seq FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE m.sender_id = $1',
      [alice.id],
    );

    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(rows).toHaveLength(1);
    expect(conversation[0].last_seq).toBe(1);
    expect(pushes).toHaveLength(1);
  });

  it('rejects a clientMessageId reused for another conversation', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const carol = await registerUser(app, 'carol');

    await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'one', clientMessageId: 'reused' });
    const reused = await api(app, alice)
      .post('/api/messages/send')
      .send({ recipientID: carol.id, content: 'two', clientMessageId: 'reused' });

    expect(reused.status).toBe(409);
    expect(reused.body.error).toBe('CONFLICT');
  });

  it('pages with before and after while messages arrive between pages', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const send = (content: string) => api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content });
    for (let i = 1; i <= 25; i++) await send(`m${i}`);

    const forward: number[] = [];
    let after = 0;
    for (let page = 0; page < 20; page++) {
      const response = await api(app, bob).get(`/api/messages/history/${alice.id}?after=${after}&limit=7`);
      forward.push(...response.body.messages.map((message: { seq: number }) => message.seq));
      if (page === 1) for (let i = 26; i <= 30; i++) await send(`m${i}`);
      if (!response.body.hasMore) break;
      after = response.body.messages.at(-1).seq;
    }

    const newest = await api(app, bob).get(`/api/messages/history/${alice.id}?limit=7`);
    const backward: number[] = newest.body.messages.map((message: { seq: number }) => message.seq);
    let before = backward[0];
    await send('m31');
    while (before > 1) {
      const response = await api(app, bob).get(`/api/messages/history/${alice.id}?before=${before}&limit=7`);
      backward.unshift(...response.body.messages.map((message: { seq: number }) => message.seq));
      before = response.body.messages[0].seq;
      if (!response.body.hasMore) break;
    }

    const oneToThirty = Array.from({ length: 30 }, (_, i) => i + 1);
    expect(forward).toEqual(oneToThirty);
    expect(newest.body.hasMore).toBe(true);
    expect(backward).toEqual(oneToThirty);
  });

  it('hides a conversation from a third user', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const mallory = await registerUser(app, 'mal');
    const sent = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'private' });

    const history = await api(app, mallory).get(`/api/messages/history/${sent.body.conversationID}`);
    const viaSocket = await emitAck(await connect(mallory), 'message:send', { groupID: sent.body.conversationID, content: 'let me in' });
    const rows = await app.dataSource.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [
      sent.body.conversationID,
    ]);

    expect(history.status).toBe(404);
    expect(history.body.error).toBe('NOT_FOUND');
    expect(viaSocket.ok).toBe(false);
    expect(viaSocket.error?.error).toBe('NOT_FOUND');
    expect(rows[0].n).toBe(1);
  });

  it('returns NOT_FOUND for an unknown recipient', async () => {
    const alice = await registerUser(app, 'alice');
    const response = await api(app, alice)
      .post('/api/messages/send')
      .send({ recipientID: '00000000-0000-4000-8000-000000000000', content: 'anyone?' });

    expect(response.status).toBe(404);
    expect(response.body.error).toBe('NOT_FOUND');
  });

  it('lists conversations with the last message and unread count', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    for (const content of ['one', 'two', 'three']) await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content });

    const bobsList = await api(app, bob).get('/api/conversations');
    const alicesList = await api(app, alice).get('/api/conversations');

    expect(bobsList.status).toBe(200);
    expect(bobsList.body).toHaveLength(1);
    expect(bobsList.body[0]).toMatchObject({
      type: 'direct',
      unread: 3,
      lastReadSeq: 0,
      peer: { userID: alice.id, username: alice.username },
    });
    expect(bobsList.body[0].lastMessage).toMatchObject({ seq: 3, content: 'three' });
    expect(alicesList.body[0]).toMatchObject({ unread: 0, lastReadSeq: 3 });
  });
});
