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
