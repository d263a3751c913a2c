import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { digitsToInteger } from '../../common/validation/query-integer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MessageView } from './message.view';

export class SyncQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50, description: 'Maximum messages per conversation' })
  @IsOptional()
  @Transform(digitsToInteger)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class SyncConversationView {
  @ApiProperty({ format: 'uuid' })
  conversationID: string;

  @ApiProperty({ type: [MessageView], description: "Messages after the caller's delivered watermark, ascending seq" })
  messages: MessageView[];

  @ApiProperty({ description: 'More undelivered messages exist after this page' })
  hasMore: boolean;
}

export class SyncView {
  @ApiProperty({ type: [SyncConversationView], description: 'Only conversations with undelivered messages' })
  conversations: SyncConversationView[];
}
