import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_KEY } from './jwt-secret';
import { AccessTokenClaims, Principal, TOKEN_ALGORITHM, TokenService } from './token.service';

/**
 * Passport strategy for REST: reads the bearer token and verifies its signature and expiry with
 * the pinned algorithm, then checks its claims and session as the socket handshake does.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly tokens: TokenService,
    @Inject(JWT_KEY) key: KeyObject,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // @types/passport-jwt 4.0.1 declares `string | Buffer`, but passport-jwt 4.0.1 hands the
      // value unchanged to jsonwebtoken 9's verify, which accepts a KeyObject.
      secretOrKey: key as unknown as Buffer,
      algorithms: [TOKEN_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): Promise<Principal> {
    return this.tokens.principalOf(claims);
  }
}
