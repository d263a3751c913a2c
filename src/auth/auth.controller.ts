import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthAttempt } from '../common/throttling/throttle.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { LoginDto } from '../users/dto/login.dto';
import { RegisterDto } from '../users/dto/register.dto';
import { UserView } from '../users/dto/user.view';
import { AuthService } from './auth.service';
import { CurrentUser } from './current-user.decorator';
import { RefreshDto, TokenPairView, LoginView } from './dto/session.dto';
import { Public } from './public.decorator';
import { Principal } from './token.service';

@ApiTags('auth')
@Public()
@AuthAttempt()
@Controller('users')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiCreatedResponse({ type: UserView })
  @ApiErrors(400, 409, 413, 429)
  register(@Body() dto: RegisterDto): Promise<UserView> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start a session',
    description:
      'Returns a short-lived access token and a refresh token. Failed logins are limited per account and per client ' +
      'address (429 with Retry-After); an unknown user gets the same 401 as a wrong password.',
  })
  @ApiOkResponse({ type: LoginView })
  @ApiErrors(400, 401, 429)
  // @Ip() is the TCP peer unless TRUST_PROXY names the proxies whose X-Forwarded-For is trusted.
  login(@Body() dto: LoginDto, @Ip() address: string): Promise<LoginView> {
    return this.auth.login(dto, address);
  }
}

@ApiTags('auth')
@Controller('auth')
export class SessionController {
  constructor(private readonly auth: AuthService) {}

  @Post('refresh')
  @Public()
  @AuthAttempt()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description:
      'Exchanges the current refresh token for a new access token and a new refresh token. Each refresh token works ' +
      'once: presenting one that was already exchanged revokes the whole session and disconnects its sockets.',
  })
  @ApiOkResponse({ type: TokenPairView })
  @ApiErrors(400, 401, 429)
  refresh(@Body() dto: RefreshDto): Promise<TokenPairView> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'End the session',
    description:
      "Revokes the access token's session: its access and refresh tokens stop working and its sockets are disconnected on every instance.",
  })
  @ApiNoContentResponse()
  @ApiErrors(401)
  logout(@CurrentUser() caller: Principal): Promise<void> {
    return this.auth.logout(caller);
  }
}
