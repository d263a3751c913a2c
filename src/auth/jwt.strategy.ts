import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Principal, TOKEN_ALGORITHM, TokenService } from './token.service';
import { JWT_SECRET } from './jwt-secret';

/** Passport strategy for REST: reads the bearer token and verifies it with the pinned algorithm. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly tokens: TokenService,
    @Inject(JWT_SECRET) secret: string,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: secret,
      algorithms: [TOKEN_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  validate(claims: { sub?: unknown; exp?: unknown }): Principal {
    return this.tokens.toPrincipal(claims);
  }
}
