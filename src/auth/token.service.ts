import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../common/errors/app-error';
import { JWT_SECRET } from './jwt-secret';

/** The only algorithm accepted for access tokens; tokens signed any other way (or `none`) are rejected. */
export const TOKEN_ALGORITHM = 'HS256' as const;

/** The authenticated caller, on REST requests and sockets alike. */
export interface Principal {
  userId: string;
  expiresAt: number;
}

interface AccessTokenClaims {
  sub?: unknown;
  exp?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Signs and verifies access tokens; the HTTP guard and the socket handshake both call `authenticate`. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(JWT_SECRET) private readonly secret: string,
  ) {}

  sign(userId: string): { accessToken: string; expiresIn: number } {
    const accessToken = this.jwt.sign({ sub: userId }, { algorithm: TOKEN_ALGORITHM, secret: this.secret });
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(accessToken);
    return { accessToken, expiresIn: exp - iat };
  }

  /** Verify a raw token and return its principal, or throw UNAUTHORIZED. */
  authenticate(token: string | undefined | null): Principal {
    if (!token) throw new AppError('UNAUTHORIZED', 'Missing access token');

    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims & object>(token, { algorithms: [TOKEN_ALGORITHM], secret: this.secret });
    } catch {
      throw new AppError('UNAUTHORIZED', 'Invalid or expired access token');
    }
    return this.toPrincipal(claims);
  }

  /** Check the claims of an already verified token. */
  toPrincipal(claims: AccessTokenClaims): Principal {
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub) || typeof claims.exp !== 'number') {
      throw new AppError('UNAUTHORIZED', 'Invalid or expired access token');
    }
    return { userId: claims.sub, expiresAt: claims.exp * 1000 };
  }
}
