import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GroupsModule } from '../groups/groups.module';
import { HealthModule } from '../health/health.module';
import { MessagesModule } from '../messages/messages.module';
import { PresenceModule } from '../presence/presence.module';
import { AsyncApiModule } from './asyncapi/asyncapi.module';
import { ChatGateway } from './chat.gateway';
import { SocketSessionsService } from './socket-sessions.service';
import { TypingService } from './typing.service';

@Module({
  imports: [AuthModule, GroupsModule, HealthModule, MessagesModule, PresenceModule, AsyncApiModule],
  providers: [ChatGateway, SocketSessionsService, TypingService],
})
export class RealtimeGatewayModule {}
