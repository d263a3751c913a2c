import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GroupsModule } from '../groups/groups.module';
import { MessagesModule } from '../messages/messages.module';
import { PresenceModule } from '../presence/presence.module';
import { ChatGateway } from './chat.gateway';

@Module({
  imports: [AuthModule, GroupsModule, MessagesModule, PresenceModule],
  providers: [ChatGateway],
})
export class RealtimeGatewayModule {}
