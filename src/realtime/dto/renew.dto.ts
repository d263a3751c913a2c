import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RenewDto {
  @ApiProperty({ description: 'A fresh access token of the same user, e.g. from POST /api/auth/refresh' })
  @IsString()
  @Length(1, 4096)
  accessToken: string;
}

export class RenewView {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the new access token expires; the socket is disconnected then unless renewed again' })
  expiresAt: string;
}
