import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { describeEachDatabase } from '../support/databases';
import { api, collect, connectSocket, emitAck, registerUser, TestUser, waitFor } from '../support/clients';

interface TypingEvent {
  conversationID: string;
  userID: string;
  isTyping: boolean;
}

const TTL_MS = 400;
const TYPING_LIMIT = 10;
const MESSAGE_LIMIT = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('typing', (database) => {
  let app: TestApp;
  const sockets: Socket[] = [];

  const connect = async (user: TestUser) => {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  };

  /** Two users with a direct conversation, both connected, and its id. */
  const pair = async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const sent = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'hi' });
    expect(sent.status).toBe(201);
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    return { alice, bob, aliceSocket, bobSocket, conversationID: sent.body.conversationID as string };
  };

  beforeAll(async () => {
    app = await startApp({
      database,
      env: {
        TYPING_TTL_MS: String(TTL_MS),
        TYPING_RATE_LIMIT: String(TYPING_LIMIT),
        TYPING_RATE_WINDOW_MS: '60000',
        MESSAGE_RATE_LIMIT: String(MESSAGE_LIMIT),
      },
    });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await app.close();
  });

  it('relays start and stop to the other member only', async () => {
    const { alice, bob, aliceSocket, bobSocket, conversationID } = await pair();
    const atBob = collect<TypingEvent>(bobSocket, 'typing');
    const atAlice = collect<TypingEvent>(aliceSocket, 'typing');

    // A direct conversation may be named by the other user's id.
    const start = await emitAck(aliceSocket, 'typing', { conversationID: bob.id, isTyping: true });
    await waitFor(() => atBob.length === 1, 5000, 'typing start');
    const stop = await emitAck(aliceSocket, 'typing', { conversationID, isTyping: false });
    await waitFor(() => atBob.length === 2, 5000, 'typing stop');

    expect(start).toEqual({ ok: true, data: { conversationID, userID: alice.id, isTyping: true } });
    expect(stop).toEqual({ ok: true, data: { conversationID, userID: alice.id, isTyping: false } });
    expect(atBob).toEqual([
      { conversationID, userID: alice.id, isTyping: true },
      { conversationID, userID: alice.id, isTyping: false },
    ]);
    expect(atAlice).toEqual([]);
  });

  it('relays to every other member of a group', async () => {
    const owner = await registerUser(app, 'owner');
    const members = [await registerUser(app, 'mem'), await registerUser(app, 'mem')];
    const created = await api(app, owner)
      .post('/api/groups')
      .send({ name: 'typists', memberIDs: members.map((member) => member.id) });
    expect(created.status).toBe(201);
    const ownerSocket = await connect(owner);
    const received = await Promise.all(members.map(async (member) => collect<TypingEvent>(await connect(member), 'typing')));

    await emitAck(ownerSocket, 'typing', { conversationID: created.body.id, isTyping: true });
    await waitFor(() => received.every((events) => events.length === 1), 5000, 'typing at every member');

    for (const events of received) expect(events).toEqual([{ conversationID: created.body.id, userID: owner.id, isTyping: true }]);
  });

  it('expires a start that is not renewed', async () => {
    const { alice, aliceSocket, bobSocket, conversationID } = await pair();
    const atBob = collect<TypingEvent>(bobSocket, 'typing');

    await emitAck(aliceSocket, 'typing', { conversationID, isTyping: true });
    await sleep(TTL_MS / 2);
    const renewedAt = Date.now();
    await emitAck(aliceSocket, 'typing', { conversationID, isTyping: true });
    await waitFor(() => atBob.length === 2, 5000, 'typing expiry');
    const expiredAfterMs = Date.now() - renewedAt;

    expect(atBob).toEqual([
      { conversationID, userID: alice.id, isTyping: true },
      { conversationID, userID: alice.id, isTyping: false },
    ]);
    expect(expiredAfterMs).toBeGreaterThanOrEqual(TTL_MS - 20);
    expect(expiredAfterMs).toBeLessThan(TTL_MS + 1000);
  });

  it('answers NOT_FOUND to a non-member', async () => {
    const { bobSocket, conversationID } = await pair();
    const stranger = await registerUser(app, 'eve');
    const strangerSocket = await connect(stranger);
    const atBob = collect<TypingEvent>(bobSocket, 'typing');

    const known = await emitAck(strangerSocket, 'typing', { conversationID, isTyping: true });
    const unknown = await emitAck(strangerSocket, 'typing', { conversationID: '00000000-0000-4000-8000-000000000000', isTyping: true });
    await sleep(100);

    expect(known.error?.error).toBe('NOT_FOUND');
    expect(unknown.error?.error).toBe('NOT_FOUND');
    expect(known.error?.message).toBe(unknown.error?.message);
    expect(atBob).toEqual([]);
  });

  it.each([
    ['a conversationID that is not a UUID', { conversationID: 'general', isTyping: true }, 'conversationID'],
    ['a missing isTyping', { conversationID: '00000000-0000-4000-8000-000000000000' }, 'isTyping'],
    ['an unknown field', { conversationID: '00000000-0000-4000-8000-000000000000', isTyping: true, extra: 1 }, 'extra'],
  ])('rejects %s with VALIDATION_FAILED', async (_case, payload, field) => {
    const user = await registerUser(app, 'val');
    const socket = await connect(user);

    const ack = await emitAck(socket, 'typing', payload);

    expect(ack.error?.error).toBe('VALIDATION_FAILED');
    expect(ack.error?.details?.map((detail) => detail.field)).toContain(field);
  });

  it('limits typing events per user', async () => {
    const { aliceSocket, conversationID } = await pair();

    const acks = [];
    for (let i = 0; i <= TYPING_LIMIT; i++) acks.push(await emitAck(aliceSocket, 'typing', { conversationID, isTyping: i % 2 === 0 }));

    expect(acks.slice(0, TYPING_LIMIT).every((ack) => ack.ok)).toBe(true);
    expect(acks[TYPING_LIMIT].error?.error).toBe('RATE_LIMITED');
    expect(acks[TYPING_LIMIT].error?.retryAfterMs).toBeGreaterThan(0);
  });

  it('does not count against the message limit', async () => {
    const { bob, aliceSocket, conversationID } = await pair();
    // pair() sent one message over REST already.
    for (let i = 0; i < TYPING_LIMIT; i++) await emitAck(aliceSocket, 'typing', { conversationID, isTyping: i % 2 === 0 });

    const sends = [];
    for (let i = 1; i <= MESSAGE_LIMIT; i++)
      sends.push(await emitAck(aliceSocket, 'message:send', { recipientID: bob.id, content: `m${i}` }));

    expect(sends.slice(0, MESSAGE_LIMIT - 1).every((ack) => ack.ok)).toBe(true);
    expect(sends[MESSAGE_LIMIT - 1].error?.error).toBe('RATE_LIMITED');
  });
});

describe('typing after a disconnect [PGlite]', () => {
  let app: TestApp;

  beforeAll(async () => {
    // A TTL far longer than the wait below, so only the disconnect can end the state in time.
    app = await startApp({ env: { TYPING_TTL_MS: '60000' } });
  });

  afterAll(async () => {
    await app.close();
  });

  it('stops typing when its socket closes', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const sent = await api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'hi' });
    const conversationID: string = sent.body.conversationID;
    const aliceSocket = await connectSocket(app, alice.token);
    const bobSocket = await connectSocket(app, bob.token);
    const atBob = collect<TypingEvent>(bobSocket, 'typing');

    await emitAck(aliceSocket, 'typing', { conversationID, isTyping: true });
    await waitFor(() => atBob.length === 1, 5000, 'typing start');
    aliceSocket.close();
    await waitFor(() => atBob.length === 2, 5000, 'typing stop after the disconnect');
    bobSocket.close();

    expect(atBob).toEqual([
      { conversationID, userID: alice.id, isTyping: true },
      { conversationID, userID: alice.id, isTyping: false },
    ]);
  });
});
