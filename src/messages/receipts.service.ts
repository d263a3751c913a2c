import { Injectable } from '@nestjs/common';
import { notFound } from '../common/errors/app-error';
import { RealtimeEmitter } from '../realtime/realtime.emitter';
import { ConversationRef } from './conversations.repository';
import { ConversationsService } from './conversations.service';
import { ReceiptDto } from './dto/receipt.dto';
import { DeliveredView, ReadView, ReceiptEvent, UnreadView } from './dto/receipt.view';
import { ReceiptsRepository, WatermarkChange } from './receipts.repository';

type ReceiptEventName = 'message:delivered' | 'message:read';

/** Count the messages after a member's read watermark, the rule the conversation list uses too. */
const unreadCount = (lastSeq: number, lastReadSeq: number) => Math.max(0, lastSeq - lastReadSeq);

/**
 * Delivery and read watermarks. They only move forward: a seq at or below a watermark changes
 * nothing, a seq above the conversation's last_seq counts as last_seq, and reading implies
 * delivery. The other members hear of a watermark only when it moved.
 */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly receipts: ReceiptsRepository,
    private readonly conversations: ConversationsService,
    private readonly realtime: RealtimeEmitter,
  ) {}

  async markDelivered(userId: string, dto: ReceiptDto): Promise<DeliveredView> {
    const { conversationId, change } = await this.advance(userId, dto, false);
    return { conversationID: conversationId, lastDeliveredSeq: Number(change.last_delivered_seq) };
  }

  async markRead(userId: string, dto: ReceiptDto): Promise<ReadView> {
    const { conversationId, change } = await this.advance(userId, dto, true);
    return readViewOf(conversationId, change);
  }

  async unread(userId: string): Promise<UnreadView> {
    const rows = await this.receipts.unread(userId);
    const conversations = rows.map((row) => ({ conversationID: row.conversation_id, unread: Number(row.unread) }));
    const total = conversations.reduce((sum, conversation) => sum + conversation.unread, 0);
    return { total, conversations };
  }

  private async advance(userId: string, dto: ReceiptDto, read: boolean): Promise<{ conversationId: string; change: WatermarkChange }> {
    const conversation = await this.conversations.resolve(dto.conversationID, userId);
    const change = await this.receipts.advance(conversation.id, userId, dto.seq, read);
    // No row means the caller left the conversation after it was resolved.
    if (!change) throw notFound('Conversation');

    // The update ran as a single statement outside any transaction, so it has committed here.
    if (Number(change.last_delivered_seq) > Number(change.previous_delivered_seq)) {
      this.notifyOthers(conversation, userId, 'message:delivered', Number(change.last_delivered_seq));
    }
    if (read && Number(change.last_read_seq) > Number(change.previous_read_seq)) {
      this.notifyOthers(conversation, userId, 'message:read', Number(change.last_read_seq));
      this.realtime.toUsers([userId], 'conversation:read', readViewOf(conversation.id, change));
    }
    return { conversationId: conversation.id, change };
  }

  private notifyOthers(conversation: ConversationRef, userId: string, event: ReceiptEventName, seq: number): void {
    const payload: ReceiptEvent = { conversationID: conversation.id, userID: userId, seq };
    if (conversation.type === 'group') {
      this.realtime.toConversation(conversation.id, event, payload, userId);
      return;
    }
    const peers = (conversation.direct_key ?? '').split(':').filter((id) => id && id !== userId);
    this.realtime.toUsers(peers, event, payload);
  }
}

function readViewOf(conversationId: string, change: WatermarkChange): ReadView {
  const lastReadSeq = Number(change.last_read_seq);
  return { conversationID: conversationId, lastReadSeq, unread: unreadCount(Number(change.last_seq), lastReadSeq) };
}
