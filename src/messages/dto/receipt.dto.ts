import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { lowerCaseUuid } from '../../common/validation/uuid.pipe';

/** A delivery or read confirmation up to and including seq. */
export class ReceiptDto {
  @ApiProperty({
    format: 'uuid',
    description: "A conversation id, a group id or, for a direct conversation, the other user's id",
  })
  @Transform(lowerCaseUuid)
  @IsUUID('all')
  conversationID: string;

  @ApiProperty({ minimum: 1, description: 'Highest seq confirmed; a seq beyond the newest message counts as the newest', example: 10 })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  seq: number;
}
