import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UserStatusView } from '../../users/dto/user.view';
import { MessageView } from './message.view';

export class PeerView extends UserStatusView {
  @ApiProperty({ example: 'bob' })
  username: string;
}

export class ConversationView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['direct', 'group'] })
  type: 'direct' | 'group';

  @ApiPropertyOptional({ format: 'uuid', description: 'Set on group conversations; equals id' })
  groupID?: string;

  @ApiPropertyOptional({ description: 'Set on group conversations' })
  name?: string;

  @ApiPropertyOptional({ type: PeerView, description: 'The other user of a direct conversation' })
  peer?: PeerView;

  @ApiProperty({ type: MessageView, nullable: true })
  lastMessage: MessageView | null;

  @ApiProperty({ description: "Messages after the caller's read watermark" })
  unread: number;

  @ApiProperty()
  lastReadSeq: number;
}
