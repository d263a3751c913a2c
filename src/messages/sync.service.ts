import { Injectable } from '@nestjs/common';
import { SyncConversationView, SyncView } from './dto/sync.dto';
import { toMessageView } from './message.row';
import { SyncRepository } from './sync.repository';

const DEFAULT_SYNC_LIMIT = 50;

/**
 * Catch-up after being offline: per conversation, the messages after the caller's delivered
 * watermark. Sync moves no watermark; the client confirms with `message:delivered`.
 */
@Injectable()
export class SyncService {
  constructor(private readonly sync: SyncRepository) {}

  async pending(userId: string, limit = DEFAULT_SYNC_LIMIT): Promise<SyncView> {
    // One extra row per conversation tells whether more exist.
    const rows = await this.sync.pending(userId, limit + 1);

    const byConversation = new Map<string, typeof rows>();
    for (const row of rows) {
      const group = byConversation.get(row.conversation_id) ?? [];
      group.push(row);
      byConversation.set(row.conversation_id, group);
    }

    const conversations: SyncConversationView[] = [];
    for (const [conversationId, group] of byConversation) {
      // bool_and over no other members is NULL: with nobody else to receive it, a message counts as delivered and read.
      const messages = group.slice(0, limit).map((row) => toMessageView(row, row.delivered_by_all ?? true, row.read_by_all ?? true));
      conversations.push({ conversationID: conversationId, messages, hasMore: group.length > limit });
    }
    return { conversations };
  }
}
