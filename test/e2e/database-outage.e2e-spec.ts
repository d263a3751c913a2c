import { Socket } from 'socket.io-client';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { AckEnvelope, api, connectSocket, emitAck, registerUser, TestUser, waitFor } from '../support/clients';
import { describePostgres } from '../support/databases';
import { TcpProxy } from '../support/tcp-proxy';

/** REST responses and socket acks sent while PostgreSQL is unreachable must arrive within this time. */
const ANSWER_BOUND_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Repeat a send until it returns 201, for at most 15 s; returns the last response. */
async function sendUntilStored(send: () => request.Test): Promise<request.Response> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await send();
    if (response.status === 201 || Date.now() > deadline) return response;
    await sleep(200);
  }
}

describePostgres('database outage', () => {
  let proxy: TcpProxy;
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let socket: Socket;

  const timed = async <T>(action: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> => {
    const startedAt = Date.now();
    const result = await action();
    return { result, elapsedMs: Date.now() - startedAt };
  };

  beforeAll(async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);

    app = await startApp({ database: 'postgres', databaseUrl: viaProxy.toString(), env: { DATABASE_POOL_SIZE: '4' } });
    alice = await registerUser(app, 'alice');
    bob = await registerUser(app, 'bob');
    socket = await connectSocket(app, alice.token);
  });

  afterEach(async () => {
    await proxy.restore().catch(() => undefined);
  });

  afterAll(async () => {
    socket?.close();
    await app?.close();
    await proxy?.cut();
  });

  it('returns 503 with Retry-After while cut', async () => {
    await proxy.cut();

    const read = await timed(() => api(app, alice).get('/api/conversations'));
    const send = await timed(() => api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'while cut' }));

    for (const { result, elapsedMs } of [read, send]) {
      expect(result.status).toBe(503);
      expect(result.body.error).toBe('SERVICE_UNAVAILABLE');
      expect(Number(result.headers['retry-after'])).toBeGreaterThan(0);
      expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
    }
  });

  it('acks a socket send with SERVICE_UNAVAILABLE while cut', async () => {
    await proxy.cut();

    const { result: ack, elapsedMs } = await timed(() => emitAck(socket, 'message:send', { recipientID: bob.id, content: 'while cut' }));

    expect(ack.ok).toBe(false);
    expect(ack.error?.error).toBe('SERVICE_UNAVAILABLE');
    expect(ack.error?.retryAfterMs).toBeGreaterThan(0);
    expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
    expect(socket.connected).toBe(true);
  });

  it('reports not ready while cut, and stays alive', async () => {
    await proxy.cut();

    const ready = await timed(() => request(app.url).get('/health'));
    const live = await request(app.url).get('/health/live');

    expect(ready.result.status).toBe(503);
    expect(ready.elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
    expect(live.status).toBe(200);
  });

  it('acks only stored sends across a cut and resumes by itself', async () => {
    const acks: AckEnvelope[] = [];
    const restResponses: request.Response[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const body = { recipientID: bob.id, content: `outage ${i}`, clientMessageId: `outage-${Date.now()}-${i}` };
        if (i % 2 === 0) acks.push(await emitAck(socket, 'message:send', body, 10_000));
        else restResponses.push(await api(app, alice).post('/api/messages/send').send(body));
      }
    })();

    await sleep(300);
    await proxy.cut();
    await sleep(1500);
    await proxy.restore();
    await waitFor(() => acks.at(-1)?.ok === true && restResponses.at(-1)?.status === 201, 15_000, 'sends to succeed again');
    sending = false;
    await sender;

    const rejected = [
      ...acks.filter((ack) => !ack.ok).map((ack) => ack.error?.error),
      ...restResponses.filter((r) => r.status !== 201).map((r) => r.body.error),
    ];
    const storedIds = [
      ...acks.filter((ack) => ack.ok).map((ack) => ack.data.id),
      ...restResponses.filter((r) => r.status === 201).map((r) => r.body.id),
    ];
    const rows = await app.dataSource.query('SELECT id FROM messages WHERE id = ANY($1::uuid[])', [storedIds]);
    const ready = await request(app.url).get('/health');

    expect(rejected.length).toBeGreaterThan(0);
    expect(new Set(rejected)).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    expect(rows.length).toBe(storedIds.length);
    expect(ready.status).toBe(200);
  });
});

describePostgres('database partition', () => {
  const TIMEOUT_MS = 500;
  let proxy: TcpProxy;
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);

    // The driver gives up on a statement 1 s after DATABASE_STATEMENT_TIMEOUT_MS, so these keep responses under 2 s.
    app = await startApp({
      database: 'postgres',
      databaseUrl: viaProxy.toString(),
      env: { DATABASE_POOL_SIZE: '2', DATABASE_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS), DATABASE_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
    alice = await registerUser(app, 'alice');
    bob = await registerUser(app, 'bob');
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.cut();
  });

  it('returns 503 within 2 s while packets are dropped, then recovers', async () => {
    proxy.blackhole();

    const responses = [];
    for (let i = 0; i < 4; i++) {
      const startedAt = Date.now();
      const response = await api(app, alice)
        .post('/api/messages/send')
        .send({ recipientID: bob.id, content: `partition ${i}` });
      responses.push({ status: response.status, error: response.body.error, elapsedMs: Date.now() - startedAt });
    }
    await proxy.restore();
    const recovered = await sendUntilStored(() =>
      api(app, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'after' }),
    );

    for (const response of responses) {
      expect(response).toEqual({ status: 503, error: 'SERVICE_UNAVAILABLE', elapsedMs: expect.any(Number) });
      expect(response.elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
    }
    expect(recovered.status).toBe(201);
  });
});
