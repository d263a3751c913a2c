import jwt from 'jsonwebtoken';
import { Socket } from 'socket.io-client';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { describeEachDatabase } from '../support/databases';
import { api, connectSocket, emitAck, registerUser, TestUser } from '../support/clients';

const JWT_SECRET = 'limits-test-secret-that-is-long-enough-000';

describeEachDatabase('limits and handshake', (database) => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  const sockets: Socket[] = [];

  const connect = async (user: TestUser) => {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  };
  const countMessages = async () => (await app.dataSource.query('SELECT count(*)::int AS n FROM messages'))[0].n as number;

  beforeAll(async () => {
    app = await startApp({ database, env: { JWT_SECRET, MESSAGE_RATE_LIMIT: '100' } });
    alice = await registerUser(app, 'alice');
    bob = await registerUser(app, 'bob');
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('content', () => {
    it('accepts 1000 emoji', async () => {
      const response = await api(app, alice)
        .post('/api/messages/send')
        .send({ recipientID: bob.id, content: '😀'.repeat(1000) });

      expect(response.status).toBe(201);
      expect(response.body.content).toBe('😀'.repeat(1000));
    });

    it('rejects 1001 code points on both transports', async () => {
      const before = await countMessages();
      const rest = await api(app, alice)
        .post('/api/messages/send')
        .send({ recipientID: bob.id, content: '😀'.repeat(1001) });
      const ack = await emitAck(await connect(alice), 'message:send', { recipientID: bob.id, content: 'a'.repeat(1001) });

      expect(rest.status).toBe(400);
      expect(rest.body).toMatchObject({ code: 400, error: 'VALIDATION_FAILED', message: 'content must be 1 to 1000 characters' });
      expect(ack.ok).toBe(false);
      expect(ack.error?.error).toBe('VALIDATION_FAILED');
      expect(await countMessages()).toBe(before);
    });

    it('rejects a NUL character with 400 and VALIDATION_FAILED', async () => {
      const before = await countMessages();
      const rest = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'nul\u0000here' });
      const ack = await emitAck(await connect(alice), 'message:send', { recipientID: bob.id, content: 'nul\u0000here' });

      expect(rest.status).toBe(400);
      expect(rest.body.error).toBe('VALIDATION_FAILED');
      expect(rest.body.details).toEqual([{ field: 'content', constraints: [expect.stringContaining('control characters')] }]);
      expect(ack.error?.error).toBe('VALIDATION_FAILED');
      expect(ack.error?.details?.[0].field).toBe('content');
      expect(await countMessages()).toBe(before);
    });

    it('accepts tab and newline but rejects whitespace-only content', async () => {
      const multiline = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'line one\n\tline two' });
      const blank = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: '   \n ' });

      expect(multiline.status).toBe(201);
      expect(blank.status).toBe(400);
    });

    it.each([
      ['both recipientID and groupID', { recipientID: 'R', groupID: 'R', content: 'x' }],
      ['neither recipientID nor groupID', { content: 'x' }],
      ['a non-UUID recipientID', { recipientID: 'bob', content: 'x' }],
      ['a numeric content', { recipientID: 'R', content: 42 }],
      ['an unknown field', { recipientID: 'R', content: 'x', senderID: 'R' }],
      ['an unknown messageType', { recipientID: 'R', content: 'x', messageType: 'video' }],
      ['a 65-character clientMessageId', { recipientID: 'R', content: 'x', clientMessageId: 'c'.repeat(65) }],
    ])('rejects %s on both transports', async (_case, template) => {
      const body = JSON.parse(JSON.stringify(template).replaceAll('"R"', JSON.stringify(bob.id)));
      const rest = await api(app, alice).post('/api/messages/send').send(body);
      const ack = await emitAck(await connect(alice), 'message:send', body);

      expect(rest.status).toBe(400);
      expect(rest.body.error).toBe('VALIDATION_FAILED');
      expect(ack.ok).toBe(false);
      expect(ack.error?.error).toBe('VALIDATION_FAILED');
    });

    it('rejects a message to oneself', async () => {
      const response = await api(app, alice).post('/api/messages/send').send({ recipientID: alice.id, content: 'note to self' });

      expect(response.status).toBe(400);
    });
  });

  describe('size', () => {
    it('rejects a JSON body over 64 KiB with PAYLOAD_TOO_LARGE', async () => {
      const response = await api(app, alice)
        .post('/api/messages/send')
        .send({ recipientID: bob.id, content: 'x'.repeat(70 * 1024) });

      expect(response.status).toBe(413);
      expect(response.body.error).toBe('PAYLOAD_TOO_LARGE');
    });

    it('rejects malformed JSON with VALIDATION_FAILED', async () => {
      const response = await api(app, alice).post('/api/messages/send').set('Content-Type', 'application/json').send('{"content": ');

      expect(response.status).toBe(400);
      expect(response.body.error).toBe('VALIDATION_FAILED');
    });

    it('rejects an oversized socket event', async () => {
      const socket = await connect(alice);
      const ack = await emitAck(socket, 'message:send', { recipientID: bob.id, content: 'x'.repeat(80 * 1024) });

      expect(ack.ok).toBe(false);
      expect(ack.error?.error).toBe('PAYLOAD_TOO_LARGE');
      expect(socket.connected).toBe(true);
      expect(await emitAck(socket, 'ping')).toEqual({ ok: true, data: 'pong' });
    });

    it.each([true, '3', '0x10', ' 3 ', [1]])('rejects the seq %p of another type', async (seq) => {
      const response = await api(app, alice).post('/api/messages/read').send({ conversationID: bob.id, seq });

      expect(response.status).toBe(400);
      expect(response.body.details[0].field).toBe('seq');
    });

    it.each(['0x2', '1e3', 'abc', '-1', ' 5'])('rejects the history query limit=%s', async (limit) => {
      const response = await api(app, alice).get(`/api/messages/history/${bob.id}`).query({ limit });

      expect(response.status).toBe(400);
      expect(response.body.details[0].field).toBe('limit');
    });

    it.each(['__proto__', 'constructor', 'toString', 'prototype'])('rejects the reserved key %s on both transports', async (key) => {
      const body = `{"recipientID": "${bob.id}", "content": "reserved", "${key}": {"polluted": true}}`;
      const rest = await api(app, alice).post('/api/messages/send').set('Content-Type', 'application/json').send(body);
      const ack = await emitAck(await connect(alice), 'message:send', JSON.parse(body));
      const [stored] = await app.dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE content = 'reserved'`);

      expect(rest.status).toBe(400);
      expect(rest.body.message).toBe(`property ${key} should not exist`);
      expect(ack.ok).toBe(false);
      expect(ack.error?.error).toBe('VALIDATION_FAILED');
      expect(stored.n).toBe(0);
    });

    it('answers an event with a non-object payload with VALIDATION_FAILED', async () => {
      const ack = await emitAck(await connect(alice), 'message:send', 'just a string');

      expect(ack.ok).toBe(false);
      expect(ack.error?.error).toBe('VALIDATION_FAILED');
    });
  });

  describe('handshake', () => {
    const expectRefused = async (options: Record<string, unknown>, token?: string) => {
      const error = await connectSocket(app, token, options).then(
        (socket) => {
          socket.close();
          return null;
        },
        (reason: Error & { data?: { error: string } }) => reason,
      );
      expect(error?.message).toBe('UNAUTHORIZED');
      expect(error?.data?.error).toBe('UNAUTHORIZED');
    };

    it('refuses a socket without a token', async () => {
      await expectRefused({});
    });

    it('refuses a socket with a garbage token', async () => {
      await expectRefused({}, 'garbage.token.value');
    });

    it('refuses a socket with an expired token', async () => {
      const expired = jwt.sign({ sub: alice.id, exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET, { algorithm: 'HS256' });
      await expectRefused({}, expired);
    });

    it('refuses a token signed with another key or algorithm', async () => {
      const wrongKey = jwt.sign({ sub: alice.id }, 'another-secret-another-secret-another', { algorithm: 'HS256', expiresIn: 60 });
      const otherAlgorithm = jwt.sign({ sub: alice.id }, JWT_SECRET, { algorithm: 'HS512', expiresIn: 60 });
      const unsigned = jwt.sign({ sub: alice.id }, '', { algorithm: 'none', expiresIn: 60 });
      const noSubject = jwt.sign({}, JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 });

      for (const token of [wrongKey, otherAlgorithm, unsigned, noSubject]) {
        await expectRefused({}, token);
        const rest = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${token}`);
        expect(rest.status).toBe(401);
      }
    });

    it('accepts the token from the query string and the Authorization header', async () => {
      const viaQuery = await connectSocket(app, undefined, { query: { token: alice.token } });
      const viaHeader = await connectSocket(app, undefined, { extraHeaders: { Authorization: `Bearer ${alice.token}` } });
      sockets.push(viaQuery, viaHeader);

      expect(viaQuery.connected).toBe(true);
      expect(viaHeader.connected).toBe(true);
    });
  });

  describe('message rate limit', () => {
    it('refuses the 101st message within a minute across REST and the socket', async () => {
      const sender = await registerUser(app, 'rate');
      const socket = await connect(sender);
      const send = (i: number) => ({ recipientID: bob.id, content: `message ${i}` });

      for (let i = 0; i < 50; i++) {
        const response = await api(app, sender).post('/api/messages/send').send(send(i));
        expect(response.status).toBe(201);
      }
      for (let i = 50; i < 100; i++) {
        const ack = await emitAck(socket, 'message:send', send(i));
        expect(ack.ok).toBe(true);
      }
      const overRest = await api(app, sender).post('/api/messages/send').send(send(100));
      const overSocket = await emitAck(socket, 'message:send', send(101));
      const stored = await app.dataSource.query('SELECT count(*)::int AS n FROM messages WHERE sender_id = $1', [sender.id]);

      expect(overRest.status).toBe(429);
      expect(overRest.body.error).toBe('RATE_LIMITED');
      expect(overRest.body.retryAfterMs).toBeGreaterThan(0);
      expect(Number(overRest.headers['retry-after'])).toBeGreaterThan(0);
      expect(overSocket.ok).toBe(false);
      expect(overSocket.error?.error).toBe('RATE_LIMITED');
      expect(overSocket.error?.retryAfterMs).toBeGreaterThan(0);
      expect(stored[0].n).toBe(100);
    });

    it('counts socket-only sends against the same limit', async () => {
      const sender = await registerUser(app, 'rate2');
      const socket = await connect(sender);
      for (let i = 0; i < 100; i++) {
        const ack = await emitAck(socket, 'message:send', { recipientID: bob.id, content: `m${i}` });
        expect(ack.ok).toBe(true);
      }

      const over = await api(app, sender).post('/api/messages/send').send({ recipientID: bob.id, content: 'one too many' });

      expect(over.status).toBe(429);
    });

    it('does not limit another user', async () => {
      const response = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'still fine' });

      expect(response.status).toBe(201);
    });
  });
});
