import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { IsTextContent } from '../../common/validation/content.validators';
import { lowerCaseUuid } from '../../common/validation/uuid.pipe';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateGroupDto {
  @ApiProperty({ description: '1 to 50 Unicode code points after trimming', example: 'Weekend hikes' })
  @Transform(trim)
  @IsTextContent(1, 50)
  name: string;

  @ApiPropertyOptional({ description: 'At most 500 Unicode code points after trimming', example: 'Routes and meeting points' })
  @IsOptional()
  @Transform(trim)
  @IsTextContent(0, 500)
  description?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 100,
    description: 'Users to add besides the creator; duplicates are ignored, and the group may have at most 100 members',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Transform(lowerCaseUuid)
  @IsUUID('all', { each: true })
  memberIDs?: string[];
}
