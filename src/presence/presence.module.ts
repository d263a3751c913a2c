import { Module } from '@nestjs/common';
import { PresenceRepository } from './presence.repository';
import { PresenceService } from './presence.service';

@Module({
  providers: [PresenceService, PresenceRepository],
  exports: [PresenceService, PresenceRepository],
})
export class PresenceModule {}
