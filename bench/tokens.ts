import { createHmac } from 'node:crypto';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Sign an HS256 access token as the server's TokenService does: `sub` is the user id, `sid`
 * an active session of that user, and `iat`/`exp` are in seconds. Any further claim the
 * server starts to require belongs here.
 */
export function signAccessToken(userId: string, sessionId: string, secret: string, ttlSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ sub: userId, sid: sessionId, iat: now, exp: now + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}
