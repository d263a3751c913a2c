import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { api, connectSocket, emitAck, registerUser, TestUser } from '../support/clients';
import { startFlood } from '../support/flood';
import { attemptUpgrade, connectRaw, openRawSocket } from '../support/raw-socket';

const EVENT_LIMIT = 20;
const CONNECT_TIMEOUT_MS = 1000;
const PING_INTERVAL_MS = 1000;
const PING_TIMEOUT_MS = 1000;
/** Slack for timers and a loaded CI machine on top of each configured time. */
const SLACK_MS = 1500;

describe('abuse [PGlite]', () => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  const sockets: Socket[] = [];

  const connect = async (user: TestUser) => {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    app = await startApp({
      env: {
        SOCKET_EVENT_RATE_LIMIT: String(EVENT_LIMIT),
        SOCKET_EVENT_RATE_WINDOW_MS: '1000',
        SOCKET_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        SOCKET_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
        SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS),
      },
    });
    alice = await registerUser(app, 'alice');
    bob = await registerUser(app, 'bob');
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('oversized payloads', () => {
    it('REST rejects a 65 KiB body with 413', async () => {
      const response = await api(app, alice)
        .post('/api/messages/send')
        .send({ recipientID: bob.id, content: 'x'.repeat(65 * 1024) });

      expect(response.status).toBe(413);
      expect(response.body).toEqual({ code: 413, error: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds the 64 KiB limit' });
    });

    it('socket rejects a 65 KiB event through its ack', async () => {
      const socket = await connect(alice);

      const ack = await emitAck(socket, 'message:send', { recipientID: bob.id, content: 'x'.repeat(65 * 1024) });

      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toBe(413);
      expect(ack.error?.error).toBe('PAYLOAD_TOO_LARGE');
      expect(ack.error?.message).toMatch(/^Event payload is \d+ bytes; the limit is 65536$/);
      expect(socket.connected).toBe(true);
    });

    it('socket closes a 200 KiB frame with 1009', async () => {
      const raw = await openRawSocket(app);
      await connectRaw(raw, alice.token);

      raw.ws.send(`42${JSON.stringify(['ping', 'x'.repeat(200 * 1024)])}`);
      const closed = await raw.closed;

      // 1009 is the WebSocket close code "Message Too Big" (RFC 6455, section 7.4.1).
      expect(closed.code).toBe(1009);
    });
  });

  describe('flooding socket', () => {
    it('is limited without slowing another client', async () => {
      const other = await connect(bob);
      const warmUp = await emitAck(other, 'message:send', { recipientID: alice.id, content: 'before the flood' });
      expect(warmUp.ok).toBe(true);
      // sync reads the database, so without a limit these queue in front of the other client's sends.
      const flood = startFlood(app.url, alice.token, 'sync', 3000);
      await flood.started;

      const latencies: number[] = [];
      for (let i = 0; i < 10; i++) {
        const startedAt = Date.now();
        const ack = await emitAck(other, 'message:send', { recipientID: alice.id, content: `during flood ${i}` }, 30_000);
        latencies.push(Date.now() - startedAt);
        expect(ack.ok).toBe(true);
      }
      const tally = await flood.finished;

      // A generous bound. On a shared 2-core machine the slowest send took under 1 s with the limit
      // and 4.7 s without it. On an idle loopback server a send takes a few milliseconds.
      expect(Math.max(...latencies)).toBeLessThan(2000);
      expect(tally.limited).toBeGreaterThan(2000);
      expect(tally.other).toBe(0);
    });

    it('serves the flooder again after the window', async () => {
      const socket = await connect(alice);
      const burst = await Promise.all(Array.from({ length: EVENT_LIMIT + 5 }, () => emitAck(socket, 'ping')));
      const limited = burst.filter((ack) => !ack.ok);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await emitAck(socket, 'ping');

      expect(limited.length).toBe(5);
      expect(after).toEqual({ ok: true, data: 'pong' });
    });
  });

  describe('half-open connections', () => {
    it('closes a connection that never sends CONNECT', async () => {
      const raw = await openRawSocket(app);

      const closed = await raw.closed;

      expect(raw.frames[0]).toMatch(/^0\{/);
      expect(raw.frames.some((frame) => frame.startsWith('40'))).toBe(false);
      expect(closed.at - raw.openedAt).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    });

    it('closes a connected socket that stops answering pings', async () => {
      const raw = await openRawSocket(app);
      await connectRaw(raw, alice.token);

      const closed = await raw.closed;

      expect(raw.frames).toContain('2');
      expect(closed.at - raw.openedAt).toBeLessThan(PING_INTERVAL_MS + PING_TIMEOUT_MS + SLACK_MS);
    });
  });
});

describe('handshake rate limit [PGlite]', () => {
  const LIMIT = 3;
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({ env: { SOCKET_HANDSHAKE_RATE_LIMIT: String(LIMIT), SOCKET_HANDSHAKE_RATE_WINDOW_MS: '60000' } });
  });

  afterAll(async () => {
    await app.close();
  });

  it('rejects the handshake over the limit with 429', async () => {
    const attempts = [];
    for (let i = 0; i <= LIMIT; i++) attempts.push(await attemptUpgrade(app, '127.0.0.2'));
    const rejected = attempts[LIMIT];

    expect(attempts.slice(0, LIMIT)).toEqual([null, null, null]);
    expect(rejected?.status).toBe(429);
    expect(Number(rejected?.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(rejected?.body ?? '{}')).toMatchObject({ code: 429, error: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
  });

  it('counts each client address apart', async () => {
    const fromOtherAddress = await attemptUpgrade(app, '127.0.0.3');

    expect(fromOtherAddress).toBeNull();
  });

  it('refuses socket.io-client from a limited address', async () => {
    const user = await registerUser(app, 'limited');

    const error = await connectSocket(app, user.token, { localAddress: '127.0.0.2' }).then(
      (socket) => {
        socket.close();
        return null;
      },
      (reason: Error) => reason,
    );

    expect(error).not.toBeNull();
  });
});
