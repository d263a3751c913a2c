import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsStorableText } from '../../common/validation/content.validators';

export class LoginDto {
  @ApiProperty({ description: 'Username or email address', example: 'alice' })
  @IsString()
  @Length(1, 254)
  @IsStorableText()
  username: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @Length(1, 128)
  // An unpaired surrogate would reach argon2 as U+FFFD, so different inputs would match one password.
  @IsStorableText()
  password: string;
}
