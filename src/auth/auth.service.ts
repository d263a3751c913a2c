import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { LoginDto } from '../users/dto/login.dto';
import { RegisterDto } from '../users/dto/register.dto';
import { LoginView, UserView } from '../users/dto/user.view';
import { UsersService } from '../users/users.service';
import { PasswordService } from './password.service';
import { TokenService } from './token.service';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
  ) {}

  async register(dto: RegisterDto): Promise<UserView> {
    const hash = await this.passwords.hash(dto.password);
    const user = await this.users.create(dto.username, dto.email, hash);
    this.logger.log({ userId: user.id }, 'User registered');
    return this.users.toView(user);
  }

  /** Unknown users and wrong passwords get the same error after the same amount of hashing work. */
  async login(dto: LoginDto): Promise<LoginView> {
    const user = await this.users.findForLogin(dto.username);
    const valid = await this.passwords.verify(user?.passwordHash, dto.password);
    if (!user || !valid) throw new AppError('UNAUTHORIZED', 'Invalid username or password');

    const { accessToken, expiresIn } = this.tokens.sign(user.id);
    return { accessToken, tokenType: 'Bearer', expiresIn, user: await this.users.toView(user) };
  }
}
