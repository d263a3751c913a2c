import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { IsStorableText, IsTextContent } from '../../common/validation/content.validators';
import { MESSAGE_TYPES, MessageType } from '../message.entity';
import { lowerCaseUuid } from '../../common/validation/uuid.pipe';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A send names exactly one target: recipientID for a direct message or groupID for a group. */
export class SendMessageDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Recipient of a direct message; exactly one of recipientID and groupID' })
  @ValidateIf((dto: SendMessageDto) => dto.groupID === undefined || dto.recipientID !== undefined)
  @Transform(lowerCaseUuid)
  @IsUUID('all', { message: 'recipientID must be a UUID, and exactly one of recipientID and groupID is required' })
  recipientID?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Group to send to; exactly one of recipientID and groupID' })
  @ValidateIf((dto: SendMessageDto) => dto.recipientID === undefined || dto.groupID !== undefined)
  @Transform(lowerCaseUuid)
  @IsUUID('all', { message: 'groupID must be a UUID, and exactly one of recipientID and groupID is required' })
  groupID?: string;

  @ApiProperty({
    description: '1 to 1000 Unicode code points after trimming; no control characters except tab, LF and CR',
    example: 'hello',
  })
  @Transform(trim)
  @IsTextContent(1, 1000)
  content: string;

  @ApiPropertyOptional({ enum: MESSAGE_TYPES, default: 'text' })
  @IsOptional()
  @IsIn(MESSAGE_TYPES)
  messageType?: MessageType;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    description: 'Idempotency key: a retry with the same key returns the original message',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsStorableText()
  clientMessageId?: string;
}
