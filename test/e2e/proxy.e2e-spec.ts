import request from 'supertest';
import { startApp, TestApp } from '../support/app';

const AUTH_LIMIT = 3;

/** Fail a login from the given forwarded client address and return the status. */
const failLogin = async (app: TestApp, forwardedFor: string) =>
  (
    await request(app.url)
      .post('/api/users/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ username: 'nobody', password: 'wrong password' })
  ).status;

describe('TRUST_PROXY', () => {
  const apps: TestApp[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('counts auth limits per forwarded address with TRUST_PROXY', async () => {
    const app = await startApp({ env: { AUTH_RATE_LIMIT: String(AUTH_LIMIT), TRUST_PROXY: 'loopback' } });
    apps.push(app);

    const first: number[] = [];
    for (let i = 0; i <= AUTH_LIMIT; i++) first.push(await failLogin(app, '203.0.113.1'));
    const other = await failLogin(app, '203.0.113.2');

    expect(first.slice(0, AUTH_LIMIT)).toEqual([401, 401, 401]);
    expect(first[AUTH_LIMIT]).toBe(429);
    expect(other).toBe(401);
  });

  it('counts every client as the proxy without TRUST_PROXY', async () => {
    const app = await startApp({ env: { AUTH_RATE_LIMIT: String(AUTH_LIMIT), TRUST_PROXY: '' } });
    apps.push(app);

    for (let i = 0; i < AUTH_LIMIT; i++) await failLogin(app, '203.0.113.1');
    const other = await failLogin(app, '203.0.113.2');

    expect(other).toBe(429);
  });
});
