import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { describeEachDatabase } from '../support/databases';
import { api, registerUser, uniqueName } from '../support/clients';

describeEachDatabase('accounts', (database) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({ database });
  });

  afterAll(async () => {
    await app.close();
  });

  it('registers a user and returns the public view', async () => {
    const username = uniqueName('reg');
    const response = await request(app.url)
      .post('/api/users/register')
      .send({ username, email: `${username}@example.test`, password: 'password123' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      username,
      email: `${username}@example.test`,
      status: 'offline',
      lastSeen: null,
    });
    expect(JSON.stringify(response.body)).not.toContain('password');
  });

  it('rejects a taken username in another letter case', async () => {
    const user = await registerUser(app, 'case');
    const response = await request(app.url)
      .post('/api/users/register')
      .send({ username: user.username.toUpperCase(), email: `other_${user.email}`, password: 'password123' });

    expect(response.status).toBe(409);
    expect(response.body.error).toBe('CONFLICT');
    expect(response.body.details[0].field).toBe('username');
  });

  it('rejects a taken email in another letter case', async () => {
    const user = await registerUser(app, 'mail');
    const response = await request(app.url)
      .post('/api/users/register')
      .send({ username: uniqueName('mail'), email: user.email.toUpperCase(), password: 'password123' });

    expect(response.status).toBe(409);
    expect(response.body.error).toBe('CONFLICT');
    expect(response.body.details[0].field).toBe('email');
  });

  it.each([
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['a short password', { password: 'short' }, 'password'],
    ['a short username', { username: 'ab' }, 'username'],
    ['a username with a space', { username: 'has space' }, 'username'],
    ['an unknown field', { admin: true }, 'admin'],
    ['a password with an unpaired surrogate', { password: 'pass\ud800word' }, 'password'],
    ['a password with a NUL character', { password: 'pass\u0000word' }, 'password'],
  ])('rejects %s with VALIDATION_FAILED', async (_case, override, field) => {
    const username = uniqueName('bad');
    const body = { username, email: `${username}@example.test`, password: 'password123', ...override };
    const response = await request(app.url).post('/api/users/register').send(body);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe(400);
    expect(response.body.error).toBe('VALIDATION_FAILED');
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toContain(field);
  });

  it('logs in by username or email in any case', async () => {
    const user = await registerUser(app, 'login');

    const byName = await request(app.url).post('/api/users/login').send({ username: user.username.toUpperCase(), password: user.password });
    const byEmail = await request(app.url).post('/api/users/login').send({ username: user.email, password: user.password });

    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: user.id } });
    expect(byEmail.status).toBe(200);
  });

  it('gives a wrong password and an unknown user the same 401', async () => {
    const user = await registerUser(app, 'pw');

    const wrongPassword = await request(app.url).post('/api/users/login').send({ username: user.username, password: 'wrong password' });
    const unknownUser = await request(app.url)
      .post('/api/users/login')
      .send({ username: uniqueName('ghost'), password: 'wrong password' });

    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownUser.body);
    expect(wrongPassword.body.error).toBe('UNAUTHORIZED');
  });

  it('returns the caller from /api/users/me', async () => {
    const user = await registerUser(app, 'me');
    const response = await api(app, user).get('/api/users/me');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, username: user.username, email: user.email });
  });

  it('rejects /api/users/me without a valid token', async () => {
    const missing = await request(app.url).get('/api/users/me');
    const garbage = await request(app.url).get('/api/users/me').set('Authorization', 'Bearer not.a.token');

    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('UNAUTHORIZED');
    expect(garbage.status).toBe(401);
  });

  it('returns NOT_FOUND for the status of an unknown user', async () => {
    const user = await registerUser(app, 'st');
    const response = await api(app, user).get('/api/users/00000000-0000-4000-8000-000000000000/status');

    expect(response.status).toBe(404);
    expect(response.body.error).toBe('NOT_FOUND');
  });
});

describe('auth rate limit [PGlite]', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({ env: { AUTH_RATE_LIMIT: '5' } });
  });

  afterAll(async () => {
    await app.close();
  });

  it('limits login attempts per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await request(app.url).post('/api/users/login').send({ username: 'nobody_here', password: 'wrong password' });
      statuses.push(response.status);
    }
    const limited = await request(app.url)
      .post('/api/users/register')
      .send({ username: uniqueName('late'), email: 'late@example.test', password: 'password123' });

    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('RATE_LIMITED');
  });
});
