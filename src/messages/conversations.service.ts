import { Injectable } from '@nestjs/common';
import { notFound } from '../common/errors/app-error';
import { PresenceLookup, PresenceService } from '../presence/presence.service';
import { ConversationRef, ConversationsRepository, ConversationListRow } from './conversations.repository';
import { ConversationView } from './dto/conversation.view';
import { HistoryQueryDto } from './dto/history-query.dto';
import { HistoryPageView } from './dto/message.view';
import { directKeyOf, MessageRow, toMessageView } from './message.row';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

const DEFAULT_PAGE_SIZE = 50;

@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly messagesService: MessagesService,
    private readonly presence: PresenceService,
  ) {}

  /** Resolve a conversation id, group id or, for a direct conversation, the other user's id; NOT_FOUND unless the caller is a member. */
  async resolve(id: string, userId: string): Promise<ConversationRef> {
    const conversation = await this.conversations.resolveForMember(id, userId, directKeyOf(userId, id));
    if (!conversation) throw notFound('Conversation');
    return conversation;
  }

  async history(id: string, userId: string, query: HistoryQueryDto): Promise<HistoryPageView> {
    const conversation = await this.resolve(id, userId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.messages.page(conversation.id, limit, query.before, query.after);

    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit).sort((a, b) => Number(a.seq) - Number(b.seq));
    return { conversationID: conversation.id, messages: await this.messagesService.withReceipts(page), hasMore };
  }

  async list(userId: string): Promise<ConversationView[]> {
    const rows = await this.conversations.list(userId);
    const presence = await this.presence.lookup(rows.flatMap((row) => (row.peer_id ? [row.peer_id] : [])));
    return rows.map((row) => this.toView(row, presence));
  }

  private toView(row: ConversationListRow, presence: PresenceLookup): ConversationView {
    const lastReadSeq = Number(row.last_read_seq);
    const view: ConversationView = {
      id: row.conversation,
      type: row.type,
      lastMessage: null,
      unread: Math.max(0, Number(row.last_seq) - lastReadSeq),
      lastReadSeq,
    };
    if (row.type === 'group') {
      view.groupID = row.conversation;
      view.name = row.group_name ?? undefined;
    } else if (row.peer_id) {
      const status = presence.statusOf(row.peer_id, row.peer_last_seen_at);
      view.peer = { ...status, username: row.peer_username! };
    }
    if (row.id) {
      // bool_and over no other members is NULL: with nobody else to receive it, a message counts as delivered and read.
      view.lastMessage = toMessageView(row as MessageRow, row.last_delivered_by_all ?? true, row.last_read_by_all ?? true);
    }
    return view;
  }
}
