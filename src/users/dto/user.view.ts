import { ApiProperty } from '@nestjs/swagger';

export type PresenceStatus = 'online' | 'away' | 'offline';

export class UserStatusView {
  @ApiProperty({ format: 'uuid' })
  userID: string;

  @ApiProperty({ enum: ['online', 'away', 'offline'] })
  status: PresenceStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeen: string | null;
}

export class UserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ example: 'alice@example.com' })
  email: string;

  @ApiProperty({ enum: ['online', 'away', 'offline'] })
  status: PresenceStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeen: string | null;
}

export class LoginView {
  @ApiProperty()
  accessToken: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expiresIn: number;

  @ApiProperty({ description: 'Opaque token for POST /api/auth/refresh; a new one comes back with every refresh' })
  refreshToken: string;

  @ApiProperty({ description: 'Seconds until the session expires unless it is refreshed before then', example: 2592000 })
  refreshExpiresIn: number;

  @ApiProperty({ type: UserView })
  user: UserView;
}
