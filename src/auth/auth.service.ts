import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { LoginDto } from '../users/dto/login.dto';
import { RegisterDto } from '../users/dto/register.dto';
import { UserView } from '../users/dto/user.view';
import { UsersService } from '../users/users.service';
import { TokenPairView, LoginView } from './dto/session.dto';
import { LoginAttemptsService } from './login-attempts.service';
import { PasswordService } from './password.service';
import { IssuedSession, SessionsService } from './sessions.service';
import { Principal, TokenService } from './token.service';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly attempts: LoginAttemptsService,
  ) {}

  async register(dto: RegisterDto): Promise<UserView> {
    const hash = await this.passwords.hash(dto.password);
    const user = await this.users.create(dto.username, dto.email, hash);
    this.logger.log({ userId: user.id }, 'User registered');
    return this.users.toView(user);
  }

  /**
   * Start a session. Unknown users and wrong passwords get the same error after the same
   * hashing work, and both count against the failed-login limits, so neither the response nor
   * the limit reveals whether an account exists.
   */
  async login(dto: LoginDto, address: string): Promise<LoginView> {
    const user = await this.users.findForLogin(dto.username);
    // A known account is counted by id, so its username and email share one counter.
    const account = user ? `user:${user.id}` : `name:${dto.username.toLowerCase()}`;
    await this.attempts.assertAllowed(account, address);

    const valid = await this.passwords.verify(user?.passwordHash, dto.password);
    if (!user || !valid) {
      await this.attempts.recordFailure(account, address);
      throw new AppError('UNAUTHORIZED', 'Invalid username or password');
    }

    await this.attempts.recordSuccess(account);
    const tokens = this.tokenPair(await this.sessions.start(user.id));
    return { ...tokens, user: await this.users.toView(user) };
  }

  async refresh(refreshToken: string): Promise<TokenPairView> {
    return this.tokenPair(await this.sessions.rotate(refreshToken));
  }

  logout(caller: Principal): Promise<void> {
    return this.sessions.revoke(caller.sessionId, 'logout');
  }

  /** Start a session without a password, for seeding test users. */
  async issueSession(userId: string): Promise<TokenPairView> {
    return this.tokenPair(await this.sessions.start(userId));
  }

  private tokenPair(session: IssuedSession): TokenPairView {
    const { accessToken, expiresIn } = this.tokens.sign(session.userId, session.sessionId);
    return { accessToken, tokenType: 'Bearer', expiresIn, refreshToken: session.refreshToken, refreshExpiresIn: session.refreshExpiresIn };
  }
}
