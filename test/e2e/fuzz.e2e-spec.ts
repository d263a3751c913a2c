import fc from 'fast-check';
import { Socket } from 'socket.io-client';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { api, AckEnvelope, connectSocket, registerUser, TestUser } from '../support/clients';
import { EDGE_STRINGS, hostilePathSegment, hostileValue, mutationsOf, nest, queryMutationsOf } from '../support/hostile-input';

/**
 * Property-based tests over every REST body, query and path parameter and every socket event.
 * The seed is fixed so CI runs the same cases each time; change it locally to explore more.
 */
const SEED = 20_261_204;
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const settings = { seed: SEED, numRuns: RUNS, endOnFailure: true };

const CONTENT_TYPES = ['application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'];
const CONTENT_ENCODINGS = [undefined, undefined, undefined, 'gzip', 'deflate', 'br', 'identity', 'compress'];

/** Run one case of a table, naming the input in the failure message. */
async function withCase(input: unknown, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    throw new Error(`input ${JSON.stringify(input)}: ${(error as Error).message}`);
  }
}

/** Each template with one string field replaced by each edge string: every combination, not a sample. */
function edgeStringVariants(template: Record<string, unknown>): Record<string, unknown>[] {
  const keys = Object.keys(template).filter((key) => typeof template[key] === 'string');
  return keys.flatMap((key) => EDGE_STRINGS.map((edge) => ({ ...template, [key]: edge })));
}

type Counts = Record<'users' | 'conversations' | 'conversation_members' | 'messages' | 'groups', number>;

describe('hostile input [PGlite]', () => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let groupId: string;
  let conversationId: string;
  let socket: Socket;

  const counts = async (): Promise<Counts> => {
    const [row] = await app.dataSource.query(
      `SELECT (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM conversations)::int AS conversations,
              (SELECT count(*) FROM conversation_members)::int AS conversation_members,
              (SELECT count(*) FROM messages)::int AS messages,
              (SELECT count(*) FROM groups)::int AS groups`,
    );
    return row as Counts;
  };

  /** Send one request and check the properties: no 5xx, the shared error shape, and no writes when refused. */
  const expectSafeRest = async (send: () => request.Test) => {
    const before = await counts();
    const response = await send();

    expect(response.status).toBeLessThan(500);
    if (response.status < 400) return;
    // Node's HTTP parser answers 431 itself, before the application, when the request line and headers pass 16 KiB.
    if (response.status === 431) return;
    expect(response.body).toMatchObject({ code: response.status, error: expect.any(String), message: expect.any(String) });
    expect(await counts()).toEqual(before);
  };

  const postRaw = (path: string, body: unknown, contentType: string, contentEncoding?: string) => {
    const test = api(app, alice).post(path).set('Content-Type', contentType);
    if (contentEncoding) test.set('Content-Encoding', contentEncoding);
    return test.send(JSON.stringify(body) ?? '');
  };

  /** Emit one event with any number of arguments and check: an ack, never INTERNAL, still connected, no writes when refused. */
  const expectSafeEvent = async (event: string, args: readonly unknown[]) => {
    const before = await counts();
    const ack = (await socket.timeout(5000).emitWithAck(event, ...args)) as AckEnvelope;

    expect(typeof ack.ok).toBe('boolean');
    expect(socket.connected).toBe(true);
    if (ack.ok) return;
    expect(ack.error?.error).not.toBe('INTERNAL');
    expect(ack.error?.code).toBeLessThan(500);
    expect(await counts()).toEqual(before);
  };

  beforeAll(async () => {
    app = await startApp();
    alice = await registerUser(app, 'alice');
    bob = await registerUser(app, 'bob');
    const group = await api(app, alice)
      .post('/api/groups')
      .send({ name: 'fuzz', memberIDs: [bob.id] });
    groupId = group.body.id;
    const message = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'first' });
    conversationId = message.body.conversationID;
    socket = await connectSocket(app, alice.token);
  });

  afterAll(async () => {
    socket?.close();
    await app?.close();
  });

  describe('REST bodies', () => {
    const bodies: [string, () => Record<string, unknown>][] = [
      ['/api/users/register', () => ({ username: 'fuzzuser', email: 'fuzz@example.test', password: 'correct horse battery' })],
      ['/api/users/login', () => ({ username: alice.username, password: 'wrong password here' })],
      ['/api/groups', () => ({ name: 'group', description: 'about', memberIDs: [bob.id] })],
      ['/api/messages/send', () => ({ recipientID: bob.id, content: 'hello', messageType: 'text', clientMessageId: 'fuzz-client-id' })],
      ['/api/messages/send', () => ({ groupID: groupId, content: 'hello group' })],
      ['/api/messages/read', () => ({ conversationID: conversationId, seq: 1 })],
    ];

    it.each(bodies)('POST %s survives mutated bodies', async (path, template) => {
      const headers = fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.constantFrom(...CONTENT_ENCODINGS));
      await fc.assert(
        fc.asyncProperty(mutationsOf(template()), headers, async (body, [contentType, contentEncoding]) => {
          await expectSafeRest(() => postRaw(path, body, contentType, contentEncoding));
        }),
        settings,
      );
    });

    it.each(bodies)('POST %s survives edge strings in each string field', async (path, template) => {
      for (const body of edgeStringVariants(template())) {
        await withCase(body, () => expectSafeRest(() => postRaw(path, body, 'application/json')));
      }
    });

    it('POST /api/messages/send rejects a body sent as a JSON string', async () => {
      const body = JSON.stringify({ recipientID: bob.id, content: 'hello' });
      const before = await counts();

      const response = await api(app, alice).post('/api/messages/send').set('Content-Type', 'application/json').send(JSON.stringify(body));

      expect(response.status).toBe(400);
      expect(response.body.error).toBe('VALIDATION_FAILED');
      expect(await counts()).toEqual(before);
    });
  });

  describe('REST queries and path parameters', () => {
    it('GET /api/messages/history/:id survives mutated queries', async () => {
      const template = { limit: '10', before: '5', after: '0' };
      await fc.assert(
        fc.asyncProperty(queryMutationsOf(template), async (query) => {
          await expectSafeRest(() => api(app, alice).get(`/api/messages/history/${conversationId}?${query}`));
        }),
        settings,
      );
    });

    it('GET /api/messages/sync survives mutated queries', async () => {
      await fc.assert(
        fc.asyncProperty(queryMutationsOf({ limit: '10' }), async (query) => {
          await expectSafeRest(() => api(app, alice).get(`/api/messages/sync?${query}`));
        }),
        settings,
      );
    });

    const paths: [string, 'get' | 'post' | 'delete', (id: string) => string][] = [
      ['GET /api/users/:userID/status', 'get', (id) => `/api/users/${id}/status`],
      ['GET /api/groups/:groupID', 'get', (id) => `/api/groups/${id}`],
      ['GET /api/groups/:groupID/members', 'get', (id) => `/api/groups/${id}/members`],
      ['POST /api/groups/:groupID/join', 'post', (id) => `/api/groups/${id}/join`],
      ['DELETE /api/groups/:groupID/leave', 'delete', (id) => `/api/groups/${id}/leave`],
      ['GET /api/messages/history/:conversationID', 'get', (id) => `/api/messages/history/${id}`],
    ];

    it.each(paths)('%s survives hostile ids', async (_name, method, path) => {
      await fc.assert(
        fc.asyncProperty(hostilePathSegment, async (segment) => {
          await expectSafeRest(() => api(app, bob)[method](path(segment)));
        }),
        settings,
      );
    });

    it.each([['/api/users/me'], ['/api/groups'], ['/api/conversations'], ['/api/messages/unread']])(
      'GET %s ignores a hostile query and body',
      async (path) => {
        await fc.assert(
          fc.asyncProperty(queryMutationsOf({ limit: '1' }), hostileValue, async (query, body) => {
            await expectSafeRest(() =>
              api(app, alice).get(`${path}?${query}`).set('Content-Type', 'application/json').send(JSON.stringify(body)),
            );
          }),
          settings,
        );
      },
    );
  });

  describe('socket events', () => {
    const events: [string, () => Record<string, unknown>][] = [
      ['message:send', () => ({ recipientID: bob.id, content: 'hello', messageType: 'text', clientMessageId: 'fuzz-socket-id' })],
      ['message:send', () => ({ groupID: groupId, content: 'hello group' })],
      ['message:delivered', () => ({ conversationID: conversationId, seq: 1 })],
      ['message:read', () => ({ conversationID: conversationId, seq: 1 })],
      ['sync', () => ({ limit: 10 })],
      ['presence:set', () => ({ status: 'away' })],
      ['typing', () => ({ conversationID: conversationId, isTyping: true })],
      ['ping', () => ({})],
    ];

    it('answers unknown events with NOT_FOUND', async () => {
      // socket.io-client throws on its reserved names before sending anything.
      const reserved = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];
      const known = new Set([...events.map(([event]) => event), ...reserved]);
      const names = fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('Message:send', 'message:send ', 'sync\u0000', 'constructor', '__proto__'),
      );
      await fc.assert(
        fc.asyncProperty(
          names.filter((name) => !known.has(name)),
          hostileValue,
          async (event, payload) => {
            const ack = (await socket.timeout(5000).emitWithAck(event, payload)) as AckEnvelope;

            expect(ack.ok).toBe(false);
            expect(ack.error?.error).toBe('NOT_FOUND');
          },
        ),
        settings,
      );
    });

    it.each(events)('%s survives edge strings in each string field', async (event, template) => {
      for (const payload of edgeStringVariants(template())) {
        await withCase(payload, () => expectSafeEvent(event, [payload]));
      }
    });

    it.each(events)('%s survives mutated payloads', async (event, template) => {
      const argumentLists = fc.oneof(
        { weight: 4, arbitrary: mutationsOf(template()).map((payload) => [payload]) },
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.tuple(mutationsOf(template()), hostileValue) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => [Buffer.from(bytes)]) },
      );
      await fc.assert(
        fc.asyncProperty(argumentLists, async (args) => {
          await expectSafeEvent(event, args);
        }),
        settings,
      );
    });
  });

  describe('deep nesting', () => {
    const deep = [
      ['a body of nested arrays', () => nest(1500, 'array')],
      ['a field of nested objects', () => ({ recipientID: bob.id, content: nest(1500, 'object') })],
    ] as const;

    it.each(deep)('REST rejects %s with VALIDATION_FAILED', async (_case, body) => {
      const before = await counts();

      const response = await postRaw('/api/messages/send', body(), 'application/json');

      expect(response.status).toBe(400);
      expect(response.body.error).toBe('VALIDATION_FAILED');
      expect(response.body.message).toContain('deeper than 16 levels');
      expect(await counts()).toEqual(before);
    });

    it.each(deep)('the socket rejects %s with VALIDATION_FAILED', async (_case, payload) => {
      const before = await counts();

      const ack = (await socket.timeout(5000).emitWithAck('message:send', payload())) as AckEnvelope;

      expect(ack.ok).toBe(false);
      expect(ack.error?.error).toBe('VALIDATION_FAILED');
      expect(ack.error?.message).toContain('deeper than 16 levels');
      expect(await counts()).toEqual(before);
    });

    it('lets 15 levels through to validation', async () => {
      const response = await postRaw(
        '/api/messages/read',
        { conversationID: conversationId, seq: 1, extra: nest(14, 'object') },
        'application/json',
      );

      expect(response.status).toBe(400);
      expect(response.body.message).not.toContain('deeper than');
    });
  });

  it('keeps the server alive', async () => {
    const live = await request(app.url).get('/health/live');

    expect(live.status).toBe(200);
  });
});
