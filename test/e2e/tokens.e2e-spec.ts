import jwt from 'jsonwebtoken';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { api, connectSocket, registerUser, TestUser } from '../support/clients';
import { describeEachDatabase } from '../support/databases';

const JWT_SECRET = 'tokens-test-secret-that-is-long-enough-0000';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Sign header and claims with HMAC-SHA256 whatever the header claims, as an algorithm-confusion attacker would. */
function hmacSigned(header: object, claims: object, secret: string): string {
  const body = `${base64url(header)}.${base64url(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** The result of a handshake: 'connected', or the connect_error message. */
async function handshake(app: TestApp, token: string): Promise<string> {
  try {
    const socket = await connectSocket(app, token);
    socket.close();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

describeEachDatabase('access token verification', (database) => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let revoked: TestUser;

  const sidOf = (user: TestUser) => (jwt.decode(user.token) as { sid: string }).sid;

  beforeAll(async () => {
    app = await startApp({ database, env: { JWT_SECRET } });
    alice = await registerUser(app, 'alice');
    bob = await registerUser(app, 'bob');
    revoked = await registerUser(app, 'revoked');
    expect((await api(app, revoked).post('/api/auth/logout')).status).toBe(204);
  });

  afterAll(async () => {
    await app.close();
  });

  /** Tokens that must be rejected, each named by what is wrong with it. */
  function rejectedTokens(): Record<string, string> {
    const claims = { sub: alice.id, sid: sidOf(alice) };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const valid = alice.token;
    const [header, , signature] = valid.split('.');
    const now = Math.floor(Date.now() / 1000);

    return {
      'alg none': jwt.sign(claims, '', { algorithm: 'none', expiresIn: 60 }),
      'alg none with the signature kept': `${base64url({ alg: 'none', typ: 'JWT' })}.${valid.split('.')[1]}.${signature}`,
      'HS512 with the right key': jwt.sign(claims, JWT_SECRET, { algorithm: 'HS512', expiresIn: 60 }),
      'RS256 with a private key': jwt.sign(claims, privateKey, { algorithm: 'RS256', expiresIn: 60 }),
      'RS256 header over an HMAC signature': hmacSigned({ alg: 'RS256', typ: 'JWT' }, { ...claims, iat: now, exp: now + 60 }, JWT_SECRET),
      'wrong key': jwt.sign(claims, 'another-secret-that-is-long-enough-00000000', { algorithm: 'HS256', expiresIn: 60 }),
      'past exp': jwt.sign({ ...claims, exp: now - 60 }, JWT_SECRET, { algorithm: 'HS256' }),
      'no exp': jwt.sign(claims, JWT_SECRET, { algorithm: 'HS256' }),
      'no subject': jwt.sign({ sid: claims.sid }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 }),
      'no session id': jwt.sign({ sub: alice.id }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 }),
      'unknown session': jwt.sign({ ...claims, sid: randomUUID() }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 }),
      "another user's session": jwt.sign({ ...claims, sid: sidOf(bob) }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 }),
      'revoked session': revoked.token,
      'payload changed after signing': `${header}.${base64url({ ...claims, sub: bob.id, exp: now + 60 })}.${signature}`,
      garbage: 'not.a.jwt',
    };
  }

  it('accepts a valid token on both transports', async () => {
    const rest = await api(app, alice).get('/api/users/me');

    expect(rest.status).toBe(200);
    expect(await handshake(app, alice.token)).toBe('connected');
  });

  it('rejects bad tokens on REST', async () => {
    for (const [label, token] of Object.entries(rejectedTokens())) {
      const response = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${token}`);

      expect({ label, status: response.status, error: response.body.error }).toEqual({ label, status: 401, error: 'UNAUTHORIZED' });
    }
  });

  it('rejects bad tokens at the socket handshake', async () => {
    for (const [label, token] of Object.entries(rejectedTokens())) {
      expect({ label, result: await handshake(app, token) }).toEqual({ label, result: 'UNAUTHORIZED' });
    }
  });
});
