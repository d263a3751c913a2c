import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress, IsStorableText } from '../../common/validation/content.validators';

export class RegisterDto {
  @ApiProperty({ example: 'alice', minLength: 3, maxLength: 20, pattern: '^[A-Za-z0-9_]+$' })
  @IsString()
  @Length(3, 20, { message: 'username must be 3 to 20 characters' })
  @Matches(/^[A-Za-z0-9_]+$/, { message: 'username may contain only letters, digits and underscores' })
  username: string;

  @ApiProperty({ example: 'alice@example.com', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  @IsStorableText()
  @IsEmailAddress()
  email: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128, { message: 'password must be 8 to 128 characters' })
  // An unpaired surrogate would reach argon2 as U+FFFD, so different inputs would match one password.
  @IsStorableText()
  password: string;
}
