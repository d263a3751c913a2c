import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MESSAGE_COLUMNS, MessageRow } from './message.row';

/** An undelivered message with its receipt flags over the members other than its sender. */
export interface PendingMessageRow extends MessageRow {
  delivered_by_all: boolean | null;
  read_by_all: boolean | null;
}

@Injectable()
export class SyncRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Up to `perConversation` messages after the user's delivered watermark in each of their
   * conversations, ordered by conversation and seq, in one query: the LATERAL subquery reads
   * each conversation's next page through the (conversation_id, seq) index.
   *
   * NOTE: the number of conversations is not capped, so a user with thousands of pending
   * conversations gets all of them, up to perConversation messages each, in one response.
   */
  pending(userId: string, perConversation: number): Promise<PendingMessageRow[]> {
    return this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS},
         (SELECT bool_and(o.last_delivered_seq >= m.seq) FROM conversation_members o
            WHERE o.conversation_id = m.conversation_id AND o.user_id <> m.sender_id) AS delivered_by_all,
         (SELECT bool_and(o.last_read_seq >= m.seq) FROM conversation_members o
            WHERE o.conversation_id = m.conversation_id AND o.user_id <> m.sender_id) AS read_by_all
       FROM conversation_members me
       JOIN conversations c ON c.id = me.conversation_id AND c.last_seq > me.last_delivered_seq
       CROSS JOIN LATERAL (
         SELECT * FROM messages x
         WHERE x.conversation_id = me.conversation_id AND x.seq > me.last_delivered_seq
         ORDER BY x.seq
         LIMIT $2
       ) m
       WHERE me.user_id = $1
       ORDER BY m.conversation_id, m.seq`,
      [userId, perConversation],
    );
  }
}
