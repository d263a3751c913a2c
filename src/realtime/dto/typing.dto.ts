import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsUUID } from 'class-validator';
import { Transform } from 'class-transformer';
import { lowerCaseUuid } from '../../common/validation/uuid.pipe';

/** Payload of the client's `typing` event. */
export class TypingDto {
  @ApiProperty({ format: 'uuid', description: 'Conversation id, group id or, for a direct conversation, the other user id' })
  @Transform(lowerCaseUuid)
  @IsUUID('all')
  conversationID: string;

  @ApiProperty({ description: 'true while the user types; false when they stop' })
  @IsBoolean()
  isTyping: boolean;
}

/** Payload of the server's `typing` event, and the ack of the client's. */
export class TypingEventView {
  @ApiProperty({ format: 'uuid', description: 'The conversation id, even when the client named the other user' })
  conversationID: string;

  @ApiProperty({ format: 'uuid', description: 'The user who types' })
  userID: string;

  @ApiProperty()
  isTyping: boolean;
}
