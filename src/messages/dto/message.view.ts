import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MessageType } from '../message.entity';

export class MessageView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  conversationID: string;

  @ApiProperty({ description: 'Gapless position in the conversation, starting at 1', example: 1 })
  seq: number;

  @ApiProperty({ format: 'uuid' })
  senderID: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Set on direct messages' })
  recipientID?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Set on group messages' })
  groupID?: string;

  @ApiProperty({ example: 'hello' })
  content: string;

  @ApiProperty({ enum: ['text', 'image', 'file'] })
  messageType: MessageType;

  @ApiProperty({ format: 'date-time', description: 'Server commit time, UTC' })
  timestamp: string;

  @ApiProperty({ description: 'Direct: the recipient has received it. Group: every other member has.' })
  delivered: boolean;

  @ApiProperty({ description: 'Direct: the recipient has read it. Group: every other member has.' })
  read: boolean;

  @ApiPropertyOptional({ maxLength: 64 })
  clientMessageId?: string;
}

export class HistoryPageView {
  @ApiProperty({ format: 'uuid' })
  conversationID: string;

  @ApiProperty({ type: [MessageView], description: 'Ascending seq' })
  messages: MessageView[];

  @ApiProperty({ description: 'More messages exist beyond this page in the paging direction' })
  hasMore: boolean;
}
