import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MESSAGE_COLUMNS, MessageRow } from './message.row';

export interface ConversationRef {
  id: string;
  type: 'direct' | 'group';
  direct_key: string | null;
}

/** One row of the caller's conversation list, with its last message and peer joined in. */
export interface ConversationListRow extends Partial<MessageRow> {
  conversation: string;
  type: 'direct' | 'group';
  pair_key: string | null;
  last_seq: string;
  last_read_seq: string;
  last_delivered_seq: string;
  group_name: string | null;
  peer_id: string | null;
  peer_username: string | null;
  peer_last_seen_at: Date | null;
  last_delivered_by_all: boolean | null;
  last_read_by_all: boolean | null;
}

@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The conversation that `id` names for this user: a conversation or group they are a member
   * of, or the direct conversation with the user whose id it is. Null when there is none.
   */
  async resolveForMember(id: string, userId: string, directKey: string): Promise<ConversationRef | null> {
    const rows: ConversationRef[] = await this.dataSource.query(
      `SELECT c.id, c.type, c.direct_key FROM conversations c
       JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = $2
       WHERE c.id = $1 OR c.direct_key = $3
       LIMIT 1`,
      [id, userId, directKey],
    );
    return rows[0] ?? null;
  }

  /** Every conversation of a user in one query, newest activity first. */
  list(userId: string): Promise<ConversationListRow[]> {
    return this.dataSource.query(
      `SELECT me.conversation_id AS conversation, c.type, c.direct_key AS pair_key, c.last_seq,
         me.last_read_seq, me.last_delivered_seq, g.name AS group_name,
         peer.id AS peer_id, peer.username AS peer_username, peer.last_seen_at AS peer_last_seen_at,
         ${MESSAGE_COLUMNS.replace('c.type AS conversation_type, c.direct_key', 'c.type AS conversation_type')},
         c.direct_key,
         (SELECT bool_and(o.last_delivered_seq >= m.seq) FROM conversation_members o
            WHERE o.conversation_id = c.id AND o.user_id <> m.sender_id) AS last_delivered_by_all,
         (SELECT bool_and(o.last_read_seq >= m.seq) FROM conversation_members o
            WHERE o.conversation_id = c.id AND o.user_id <> m.sender_id) AS last_read_by_all
       FROM conversation_members me
       JOIN conversations c ON c.id = me.conversation_id
       LEFT JOIN groups g ON g.id = c.id
       LEFT JOIN conversation_members pm ON c.type = 'direct' AND pm.conversation_id = c.id AND pm.user_id <> me.user_id
       LEFT JOIN users peer ON peer.id = pm.user_id
       LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
       WHERE me.user_id = $1
       ORDER BY COALESCE(m.created_at, c.created_at) DESC, c.id`,
      [userId],
    );
  }
}
