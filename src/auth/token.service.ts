import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../common/errors/app-error';
import { SessionsService } from './sessions.service';

/** The only algorithm accepted for access tokens; tokens signed any other way (or `none`) are rejected. */
export const TOKEN_ALGORITHM = 'HS256' as const;

/** The authenticated caller, on REST requests and sockets alike. */
export interface Principal {
  userId: string;
  sessionId: string;
  /** When the access token expires, in ms since the epoch. */
  expiresAt: number;
}

export interface AccessTokenClaims {
  sub?: unknown;
  sid?: unknown;
  exp?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalidToken = () => new AppError('UNAUTHORIZED', 'Invalid or expired access token');

/**
 * Signs and verifies access tokens with the secret `KeyObject` that AuthModule gives JwtModule.
 * The socket handshake and socket renewal call `authenticate`; REST goes through the passport-jwt
 * strategy, which verifies the same way and calls `principalOf`.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
  ) {}

  sign(userId: string, sessionId: string): { accessToken: string; expiresIn: number } {
    const accessToken = this.jwt.sign({ sub: userId, sid: sessionId }, { algorithm: TOKEN_ALGORITHM });
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(accessToken);
    return { accessToken, expiresIn: exp - iat };
  }

  /** Verify a raw token and its session, and return its principal, or throw UNAUTHORIZED. */
  async authenticate(token: string | undefined | null): Promise<Principal> {
    if (!token) throw new AppError('UNAUTHORIZED', 'Missing access token');

    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims & object>(token, { algorithms: [TOKEN_ALGORITHM] });
    } catch {
      throw invalidToken();
    }

    return this.principalOf(claims);
  }

  /**
   * Check the claims of a token whose signature and expiry are already verified (here or by
   * the passport-jwt strategy) and that its session is still active, and return its principal.
   */
  async principalOf(claims: AccessTokenClaims): Promise<Principal> {
    const principal = this.toPrincipal(claims);
    if (!(await this.sessions.isActive(principal.sessionId, principal.userId))) {
      throw new AppError('UNAUTHORIZED', 'The session of this access token has ended; log in again');
    }
    return principal;
  }

  private toPrincipal(claims: AccessTokenClaims): Principal {
    const { sub, sid, exp } = claims;
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid) || typeof exp !== 'number') {
      throw invalidToken();
    }
    return { userId: sub, sessionId: sid, expiresAt: exp * 1000 };
  }
}
