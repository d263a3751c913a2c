import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ReportedStatus } from '../presence.backend';

export const REPORTED_STATUSES: ReportedStatus[] = ['online', 'away'];

/** Payload of `presence:set`: the status of the sending socket's device. */
export class SetPresenceDto {
  @ApiProperty({ enum: REPORTED_STATUSES, description: '"away" when the user is idle on this device, "online" when active again' })
  @IsIn(REPORTED_STATUSES)
  status: ReportedStatus;
}
