import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import { Principal } from '../auth/token.service';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { uuidPipe } from '../common/validation/uuid.pipe';
import { UserStatusView, UserView } from './dto/user.view';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: UserView })
  @ApiErrors(401)
  async me(@CurrentUser() caller: Principal): Promise<UserView> {
    return this.users.toView(await this.users.get(caller.userId));
  }

  @Get(':userID/status')
  @ApiOkResponse({ type: UserStatusView })
  @ApiErrors(400, 401, 404)
  status(@Param('userID', uuidPipe('userID')) userId: string): Promise<UserStatusView> {
    return this.users.status(userId);
  }
}
