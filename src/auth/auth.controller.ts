import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthAttempt } from '../common/throttling/throttle.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { LoginDto } from '../users/dto/login.dto';
import { RegisterDto } from '../users/dto/register.dto';
import { LoginView, UserView } from '../users/dto/user.view';
import { AuthService } from './auth.service';
import { Public } from './public.decorator';

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
  @ApiOkResponse({ type: LoginView })
  @ApiErrors(400, 401, 429)
  login(@Body() dto: LoginDto): Promise<LoginView> {
    return this.auth.login(dto);
  }
}
