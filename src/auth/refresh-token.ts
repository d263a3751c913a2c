import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Session and rotation number that a refresh token was issued for. */
export interface RefreshTokenClaims {
  sessionId: string;
  generation: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GENERATION = /^(0|[1-9][0-9]{0,8})$/;

/** SHA-256 (hex) of a refresh token, the only form the database stores. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Issues and parses opaque refresh tokens of the form `<session id>.<generation>.<nonce>.<MAC>`.
 * The MAC (HMAC-SHA256 under a key derived from the signing secret) proves that the server
 * issued the token. So a token from an earlier rotation is recognised as reuse without storing
 * old tokens, and a forged token that names someone's session cannot revoke it.
 */
export class RefreshTokenCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('refresh-token-mac-key').digest();
  }

  issue(sessionId: string, generation: number): string {
    const body = `${sessionId}.${generation}.${randomBytes(32).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** Return the claims of a token this server issued, or null for anything else. */
  parse(token: string): RefreshTokenClaims | null {
    const parts = token.split('.');
    if (parts.length !== 4) return null;

    const [sessionId, generation, nonce, mac] = parts;
    if (!UUID.test(sessionId) || !GENERATION.test(generation) || nonce.length === 0) return null;

    const expected = Buffer.from(this.mac(`${sessionId}.${generation}.${nonce}`));
    const actual = Buffer.from(mac);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
    return { sessionId, generation: Number(generation) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
