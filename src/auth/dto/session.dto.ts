import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { UserView } from '../../users/dto/user.view';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh; each one works once' })
  @IsString()
  @Length(1, 512)
  refreshToken: string;
}

export class TokenPairView {
  @ApiProperty({ description: 'JWT (HS256) for `Authorization: Bearer` and the socket handshake; carries the session id as `sid`' })
  accessToken: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expiresIn: number;

  @ApiProperty({ description: 'Opaque token for POST /api/auth/refresh; a new one comes back with every refresh' })
  refreshToken: string;

  @ApiProperty({ description: 'Seconds until the session expires unless it is refreshed before then', example: 2592000 })
  refreshExpiresIn: number;
}

export class LoginView extends TokenPairView {
  @ApiProperty({ type: UserView })
  user: UserView;
}
