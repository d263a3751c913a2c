import Redis from 'ioredis';
import { request as httpRequest } from 'node:http';
import { startApp, TestApp } from '../support/app';
import { registerUser, TestUser } from '../support/clients';

interface LoginResult {
  status: number;
  retryAfter?: string;
  body: { error?: string; message?: string; retryAfterMs?: number; accessToken?: string };
}

/** POST /api/users/login from a chosen loopback source address, so tests can act as several clients. */
function loginFrom(app: TestApp, sourceAddress: string, username: string, password: string): Promise<LoginResult> {
  const url = new URL('/api/users/login', app.url);
  const payload = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress: sourceAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const WRONG = 'wrong password!';

describe('failed login limit per account [PGlite]', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({
      env: { LOGIN_FAILURE_ACCOUNT_LIMIT: '3', LOGIN_FAILURE_ADDRESS_LIMIT: '1000', LOGIN_FAILURE_WINDOW_MS: '60000' },
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('locks an account after its failures from any address', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');

    const failures = [];
    for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) failures.push(await loginFrom(app, address, alice.username, WRONG));
    const locked = await loginFrom(app, '127.0.0.1', alice.username, alice.password);
    const lockedElsewhere = await loginFrom(app, '127.0.0.4', alice.username, alice.password);
    const otherAccount = await loginFrom(app, '127.0.0.1', bob.username, bob.password);

    expect(failures.map((result) => result.status)).toEqual([401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('RATE_LIMITED');
    expect(locked.body.retryAfterMs).toBeGreaterThan(0);
    expect(locked.body.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(locked.body.accessToken).toBeUndefined();
    expect(lockedElsewhere.status).toBe(429);
    expect(otherAccount.status).toBe(200);
  });

  it('counts username and email logins together', async () => {
    const carol = await registerUser(app, 'carol');

    await loginFrom(app, '127.0.0.1', carol.username, WRONG);
    await loginFrom(app, '127.0.0.1', carol.email.toUpperCase(), WRONG);
    await loginFrom(app, '127.0.0.1', carol.username.toUpperCase(), WRONG);
    const locked = await loginFrom(app, '127.0.0.1', carol.email, carol.password);

    expect(locked.status).toBe(429);
  });

  it('treats unknown and existing accounts alike', async () => {
    const dave = await registerUser(app, 'dave');
    const existing: LoginResult[] = [];
    const unknown: LoginResult[] = [];

    for (let i = 0; i < 4; i++) {
      existing.push(await loginFrom(app, '127.0.0.5', dave.username, WRONG));
      unknown.push(await loginFrom(app, '127.0.0.6', `nobody_${dave.id.slice(0, 8)}`, WRONG));
    }

    expect(existing.map((result) => result.status)).toEqual([401, 401, 401, 429]);
    expect(unknown.map((result) => result.status)).toEqual([401, 401, 401, 429]);
    for (let i = 0; i < 4; i++) {
      expect({ attempt: i, error: unknown[i].body.error, message: unknown[i].body.message }).toEqual({
        attempt: i,
        error: existing[i].body.error,
        message: existing[i].body.message,
      });
    }
  });

  it('clears the account count on success', async () => {
    const erin = await registerUser(app, 'erin');
    const statuses: number[] = [];

    for (let round = 0; round < 2; round++) {
      statuses.push((await loginFrom(app, '127.0.0.1', erin.username, WRONG)).status);
      statuses.push((await loginFrom(app, '127.0.0.1', erin.username, WRONG)).status);
      statuses.push((await loginFrom(app, '127.0.0.1', erin.username, erin.password)).status);
    }

    expect(statuses).toEqual([401, 401, 200, 401, 401, 200]);
  });
});

describe('failed login limit per address [PGlite]', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({
      env: { LOGIN_FAILURE_ACCOUNT_LIMIT: '1000', LOGIN_FAILURE_ADDRESS_LIMIT: '4', LOGIN_FAILURE_WINDOW_MS: '60000' },
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('locks an address after failures across accounts', async () => {
    const frank = await registerUser(app, 'frank');

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await loginFrom(app, '127.0.0.7', `guess_${i}_${frank.id.slice(0, 6)}`, WRONG)).status);
    const locked = await loginFrom(app, '127.0.0.7', frank.username, frank.password);
    const otherAddress = await loginFrom(app, '127.0.0.8', frank.username, frank.password);

    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('RATE_LIMITED');
    expect(otherAddress.status).toBe(200);
  });

  it('keeps counting an address after a success there', async () => {
    const grace = await registerUser(app, 'grace');

    for (let i = 0; i < 3; i++) await loginFrom(app, '127.0.0.9', `guess_${i}_${grace.id.slice(0, 6)}`, WRONG);
    const success = await loginFrom(app, '127.0.0.9', grace.username, grace.password);
    await loginFrom(app, '127.0.0.9', `guess_x_${grace.id.slice(0, 6)}`, WRONG);
    const locked = await loginFrom(app, '127.0.0.9', grace.username, grace.password);

    expect(success.status).toBe(200);
    expect(locked.status).toBe(429);
  });
});

// The limits above count in memory; this runs the same account limit through Redis.
const redisUrl = process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)(`failed login limit in Redis${redisUrl ? '' : ' (skipped: REDIS_URL is not set)'} [PGlite]`, () => {
  let app: TestApp;
  const keyPrefix = `test-login-${process.pid}:`;

  beforeAll(async () => {
    app = await startApp({
      env: {
        REDIS_URL: redisUrl!,
        REDIS_KEY_PREFIX: keyPrefix,
        LOGIN_FAILURE_ACCOUNT_LIMIT: '2',
        LOGIN_FAILURE_ADDRESS_LIMIT: '1000',
        LOGIN_FAILURE_WINDOW_MS: '30000',
      },
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('locks an account through Redis counters', async () => {
    // The account counter is keyed by a fresh user id, and the address is one no other test uses,
    // so runs sharing this Redis do not collide.
    const henry = await registerUser(app, 'henry');

    await loginFrom(app, '127.0.0.21', henry.username, WRONG);
    await loginFrom(app, '127.0.0.21', henry.username, WRONG);
    const locked = await loginFrom(app, '127.0.0.21', henry.username, henry.password);

    const redis = new Redis(redisUrl!);
    const stored = await redis.get(`${keyPrefix}login-failures:account:user:${henry.id}`);
    await redis.quit();

    expect(locked.status).toBe(429);
    expect(locked.body.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(stored).toBe('2');
  });
});
