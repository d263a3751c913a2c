import { Module } from '@nestjs/common';
import { PresenceModule } from '../presence/presence.module';
import { UsersModule } from '../users/users.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

@Module({
  imports: [UsersModule, PresenceModule],
  controllers: [MessagesController, ConversationsController],
  providers: [MessagesService, MessagesRepository, ConversationsService, ConversationsRepository],
  exports: [MessagesService, ConversationsService],
})
export class MessagesModule {}
