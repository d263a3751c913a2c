import { ApiProperty } from '@nestjs/swagger';
import { PresenceStatus } from '../../users/dto/user.view';
import { MemberRole } from '../../messages/conversation-member.entity';

export class GroupMemberView {
  @ApiProperty({ format: 'uuid', description: 'The user id' })
  id: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ enum: ['owner', 'member'] })
  role: MemberRole;

  @ApiProperty({ enum: ['online', 'away', 'offline'] })
  status: PresenceStatus;

  @ApiProperty({ format: 'date-time' })
  joinedAt: string;
}

export class GroupView {
  @ApiProperty({ format: 'uuid', description: "Also the id of the group's conversation" })
  id: string;

  @ApiProperty({ example: 'Weekend hikes' })
  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ format: 'uuid' })
  createdBy: string;

  @ApiProperty({ type: [GroupMemberView], description: 'Current members, longest-standing first' })
  members: GroupMemberView[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
