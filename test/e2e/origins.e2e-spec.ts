import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { connectSocket, registerUser, TestUser } from '../support/clients';

const ALLOWED = 'https://chat.example.com';
const FOREIGN = 'https://evil.example';
const DEV_PAGE = 'http://localhost:5173';

/** Open a socket with the given Origin header (none when undefined); resolves to 'connected' or the connect_error message. */
async function handshakeFrom(app: TestApp, user: TestUser, origin: string | undefined): Promise<string> {
  const headers = origin === undefined ? {} : { Origin: origin };
  try {
    const socket = await connectSocket(app, user.token, { extraHeaders: headers });
    socket.close();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

/** GET /api/users/me with the given Origin header. */
function getMe(app: TestApp, user: TestUser, origin: string | undefined) {
  const test = request(app.url).get('/api/users/me').set('Authorization', `Bearer ${user.token}`);
  return origin === undefined ? test : test.set('Origin', origin);
}

describe('origin allow-list with CORS_ORIGINS set [PGlite]', () => {
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    app = await startApp({ env: { CORS_ORIGINS: `${ALLOWED}, https://admin.example.com` } });
    user = await registerUser(app, 'origin');
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves REST requests without an Origin', async () => {
    const response = await getMe(app, user, undefined);

    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves a listed origin with CORS headers', async () => {
    const response = await getMe(app, user, ALLOWED);
    const preflight = await request(app.url)
      .options('/api/messages/send')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');

    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/i);
  });

  it('rejects foreign origins on REST', async () => {
    for (const origin of [FOREIGN, DEV_PAGE, 'null', 'https://chat.example.com.evil.example', 'http://chat.example.com']) {
      const response = await getMe(app, user, origin);
      const preflight = await request(app.url).options('/api/messages/send').set('Origin', origin).set('Access-Control-Request-Method', 'POST');

      expect({ origin, status: response.status, error: response.body.error }).toEqual({ origin, status: 403, error: 'FORBIDDEN' });
      expect({ origin, header: response.headers['access-control-allow-origin'] }).toEqual({ origin, header: undefined });
      expect({ origin, preflight: preflight.status }).toEqual({ origin, preflight: 403 });
      expect({ origin, header: preflight.headers['access-control-allow-origin'] }).toEqual({ origin, header: undefined });
    }
  });

  it('rejects a foreign origin before login', async () => {
    const response = await request(app.url).post('/api/users/login').set('Origin', FOREIGN).send({ username: user.username, password: user.password });

    expect(response.status).toBe(403);
    expect(response.body.message).toContain(FOREIGN);
  });

  it('serves a same-origin page', async () => {
    const response = await getMe(app, user, app.url);

    expect(response.status).toBe(200);
  });

  it('opens sockets without an Origin, listed or same-origin', async () => {
    expect(await handshakeFrom(app, user, undefined)).toBe('connected');
    expect(await handshakeFrom(app, user, ALLOWED)).toBe('connected');
    expect(await handshakeFrom(app, user, app.url)).toBe('connected');
  });

  it('rejects socket handshakes from foreign origins', async () => {
    for (const origin of [FOREIGN, DEV_PAGE, 'null']) {
      const result = await handshakeFrom(app, user, origin);

      expect({ origin, connected: result === 'connected' }).toEqual({ origin, connected: false });
    }
  });
});

describe('origin allow-list by default outside production [PGlite]', () => {
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    app = await startApp();
    user = await registerUser(app, 'devorig');
  });

  afterAll(async () => {
    await app.close();
  });

  it('allows loopback pages on both transports', async () => {
    for (const origin of [DEV_PAGE, 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      const response = await getMe(app, user, origin);

      expect({ origin, status: response.status }).toEqual({ origin, status: 200 });
      expect({ origin, header: response.headers['access-control-allow-origin'] }).toEqual({ origin, header: origin });
      expect({ origin, socket: await handshakeFrom(app, user, origin) }).toEqual({ origin, socket: 'connected' });
    }
  });

  it('rejects other origins on both transports', async () => {
    const response = await getMe(app, user, FOREIGN);

    expect(response.status).toBe(403);
    expect(await handshakeFrom(app, user, FOREIGN)).not.toBe('connected');
  });
});
