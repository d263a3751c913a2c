import jwt from 'jsonwebtoken';
import { Socket } from 'socket.io-client';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { api, connectSocket, emitAck, nextEvent, registerUser, TestUser } from '../support/clients';
import { Instance, startInstance } from '../support/cluster';
import { describeEachDatabase } from '../support/databases';
import { clusterEnv, describeScaleOut } from '../support/scale-out';

/** Resolve with the reason of the socket's next disconnect, failing after timeoutMs. */
function nextDisconnect(socket: Socket, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for disconnect`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Log in again as the user, which starts a second session. */
async function login(app: TestApp, user: TestUser): Promise<TestUser> {
  const response = await request(app.url).post('/api/users/login').send({ username: user.username, password: user.password });
  expect(response.status).toBe(200);
  return { ...user, token: response.body.accessToken, refreshToken: response.body.refreshToken };
}

const refresh = (app: TestApp, refreshToken: string) => request(app.url).post('/api/auth/refresh').send({ refreshToken });

describeEachDatabase('sessions', (database) => {
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

  it('login returns refresh token and sid', async () => {
    const user = await registerUser(app, 'login');
    const response = await request(app.url).post('/api/users/login').send({ username: user.username, password: user.password });
    const claims = jwt.decode(response.body.accessToken) as { sub: string; sid: string; exp: number; iat: number };

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 2_592_000 });
    expect(typeof response.body.refreshToken).toBe('string');
    expect(claims.sub).toBe(user.id);
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('rotates the refresh token', async () => {
    const user = await registerUser(app, 'rotate');
    const first = await refresh(app, user.refreshToken);
    const second = await refresh(app, first.body.refreshToken);

    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(jwt.decode(second.body.accessToken)).toMatchObject({ sub: user.id, sid: (jwt.decode(user.token) as { sid: string }).sid });
    expect((await api(app, { ...user, token: second.body.accessToken }).get('/api/users/me')).status).toBe(200);
  });

  it('revokes session on refresh token reuse', async () => {
    const user = await registerUser(app, 'reuse');
    const socket = await connect(user);
    const rotated = await refresh(app, user.refreshToken);
    const disconnected = nextDisconnect(socket);

    const reused = await refresh(app, user.refreshToken);

    expect(rotated.status).toBe(200);
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ code: 401, error: 'UNAUTHORIZED', message: expect.stringContaining('already used') });
    expect(await disconnected).toBe('io server disconnect');
    expect((await refresh(app, rotated.body.refreshToken)).status).toBe(401);
    expect((await api(app, { ...user, token: rotated.body.accessToken }).get('/api/users/me')).status).toBe(401);
    expect((await api(app, user).get('/api/users/me')).status).toBe(401);
    const [row] = await app.dataSource.query('SELECT revoked_reason FROM sessions WHERE id = $1', [
      (jwt.decode(user.token) as { sid: string }).sid,
    ]);
    expect(row.revoked_reason).toBe('reuse');
  });

  it('rejects forged refresh tokens harmlessly', async () => {
    const user = await registerUser(app, 'forge');
    const [sessionId, generation, nonce] = user.refreshToken.split('.');
    const forged = `${sessionId}.${generation}.${nonce}.${'A'.repeat(43)}`;
    const earlierGeneration = `${sessionId}.0.${nonce}.${'A'.repeat(43)}`;

    for (const token of [forged, earlierGeneration, 'not-a-refresh-token', `${sessionId}.x.y`]) {
      const response = await refresh(app, token);
      expect({ token, status: response.status }).toEqual({ token, status: 401 });
    }
    expect((await refresh(app, user.refreshToken)).status).toBe(200);
  });

  it('rejects refresh without a token', async () => {
    const response = await request(app.url).post('/api/auth/refresh').send({});

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('VALIDATION_FAILED');
  });

  it('logout ends one session only', async () => {
    const phone = await registerUser(app, 'logout');
    const laptop = await login(app, phone);
    const phoneSocket = await connect(phone);
    const laptopSocket = await connect(laptop);
    const disconnected = nextDisconnect(phoneSocket);

    const response = await api(app, phone).post('/api/auth/logout');

    expect(response.status).toBe(204);
    expect(await disconnected).toBe('io server disconnect');
    expect((await api(app, phone).get('/api/users/me')).status).toBe(401);
    expect((await refresh(app, phone.refreshToken)).status).toBe(401);
    await expect(connectSocket(app, phone.token)).rejects.toMatchObject({ message: 'UNAUTHORIZED' });
    expect(laptopSocket.connected).toBe(true);
    expect((await emitAck(laptopSocket, 'ping')).data).toBe('pong');
    expect((await api(app, laptop).get('/api/users/me')).status).toBe(200);
  });

  it('requires an access token to log out', async () => {
    const response = await request(app.url).post('/api/auth/logout');

    expect(response.status).toBe(401);
    expect(response.body.error).toBe('UNAUTHORIZED');
  });

  it('rejects bad auth:renew tokens', async () => {
    const alice = await registerUser(app, 'renewa');
    const bob = await registerUser(app, 'renewb');
    const socket = await connect(alice);

    const garbage = await emitAck(socket, 'auth:renew', { accessToken: 'garbage' });
    const otherUser = await emitAck(socket, 'auth:renew', { accessToken: bob.token });
    const missing = await emitAck(socket, 'auth:renew', {});

    expect(garbage.error?.error).toBe('UNAUTHORIZED');
    expect(otherUser.error?.error).toBe('FORBIDDEN');
    expect(missing.error?.error).toBe('VALIDATION_FAILED');
    expect(socket.connected).toBe(true);
  });

  it('moves a renewed socket to the new session', async () => {
    const first = await registerUser(app, 'move');
    const second = await login(app, first);
    const socket = await connect(first);

    const renewed = await emitAck(socket, 'auth:renew', { accessToken: second.token });
    const disconnected = nextDisconnect(socket);
    await api(app, first).post('/api/auth/logout');
    await sleep(300);

    expect(renewed.ok).toBe(true);
    expect(socket.connected).toBe(true);
    await api(app, second).post('/api/auth/logout');
    expect(await disconnected).toBe('io server disconnect');
  });

  it('documents refresh and logout in Swagger', async () => {
    const document = (await request(app.url).get('/docs-json')).body;

    expect(document.paths['/api/auth/refresh'].post.responses['200']).toBeDefined();
    expect(document.paths['/api/auth/logout'].post.responses['204']).toBeDefined();
    expect(document.components.schemas.LoginView.properties.refreshToken).toBeDefined();
  });
});

describe('socket access token expiry [PGlite]', () => {
  const TTL_SECONDS = 3;
  let app: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startApp({ env: { JWT_ACCESS_TTL_SECONDS: String(TTL_SECONDS) } });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await app.close();
  });

  it('disconnects a socket whose token expires', async () => {
    const user = await registerUser(app, 'expire');
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    const expired = nextEvent(socket, 'session:expired', () => true, (TTL_SECONDS + 2) * 1000);
    const disconnected = nextDisconnect(socket, (TTL_SECONDS + 2) * 1000);

    expect(await expired).toEqual({ code: 401, error: 'UNAUTHORIZED', message: expect.stringContaining('auth:renew') });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('keeps a socket renewed over auth:renew', async () => {
    const user = await registerUser(app, 'renew');
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    const firstExpiry = (jwt.decode(user.token) as { exp: number }).exp * 1000;
    const expiredEvents: unknown[] = [];
    socket.on('session:expired', (body) => expiredEvents.push(body));

    // Token expiry has one-second resolution, so wait for the next second before asking for a later one.
    await sleep(1100);
    const refreshed = await refresh(app, user.refreshToken);
    const renewed = await emitAck(socket, 'auth:renew', { accessToken: refreshed.body.accessToken });
    const secondExpiry = (jwt.decode(refreshed.body.accessToken) as { exp: number }).exp * 1000;
    await sleep(firstExpiry - Date.now() + 500);

    expect(renewed).toEqual({ ok: true, data: { expiresAt: new Date(secondExpiry).toISOString() } });
    expect(secondExpiry).toBeGreaterThan(firstExpiry);
    expect(socket.connected).toBe(true);
    expect((await emitAck(socket, 'ping')).data).toBe('pong');
    expect(expiredEvents).toEqual([]);
    expect(await nextDisconnect(socket, secondExpiry - Date.now() + 2000)).toBe('io server disconnect');
    expect(expiredEvents).toHaveLength(1);
  });
});

describeScaleOut('session revocation across instances', () => {
  let first: Instance;
  let second: Instance;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([startInstance(clusterEnv()), startInstance(clusterEnv())]);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('logout disconnects remote sockets', async () => {
    const user = await registerUser(first, 'cluster');
    const remote = await connectSocket(second, user.token);
    const local = await connectSocket(first, user.token);
    sockets.push(remote, local);
    const disconnects = [nextDisconnect(remote), nextDisconnect(local)];

    const response = await api(first, user).post('/api/auth/logout');

    expect(response.status).toBe(204);
    expect(await Promise.all(disconnects)).toEqual(['io server disconnect', 'io server disconnect']);
    expect((await api(second, user).get('/api/users/me')).status).toBe(401);
  });

  it('reuse disconnects remote sockets', async () => {
    const user = await registerUser(first, 'clreuse');
    const remote = await connectSocket(second, user.token);
    sockets.push(remote);
    const disconnected = nextDisconnect(remote);

    const rotated = await request(second.url).post('/api/auth/refresh').send({ refreshToken: user.refreshToken });
    const reused = await request(first.url).post('/api/auth/refresh').send({ refreshToken: user.refreshToken });

    expect(rotated.status).toBe(200);
    expect(reused.status).toBe(401);
    expect(await disconnected).toBe('io server disconnect');
  });
});
