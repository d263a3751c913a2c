import { Module } from '@nestjs/common';
import { PresenceModule } from '../presence/presence.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';
import { MessageBatcher } from './message-batcher';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { ReceiptsController } from './receipts.controller';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';
import { SyncRepository } from './sync.repository';
import { SyncService } from './sync.service';

@Module({
  imports: [PresenceModule],
  controllers: [MessagesController, ConversationsController, ReceiptsController],
  providers: [
    MessagesService,
    MessagesRepository,
    MessageBatcher,
    ConversationsService,
    ConversationsRepository,
    ReceiptsService,
    ReceiptsRepository,
    SyncService,
    SyncRepository,
  ],
  exports: [MessageBatcher, MessagesService, ConversationsService, ReceiptsService, SyncService],
})
export class MessagesModule {}
