import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MESSAGE_COLUMNS, MessageRow } from './message.row';

export interface NewMessage {
  senderId: string;
  content: string;
  messageType: string;
  clientMessageId: string | null;
}

/** Where a send goes: a direct conversation by its pair key, or a group conversation by id. */
export type SendTarget = { directKey: string } | { conversationId: string };

export interface InsertedMessage extends MessageRow {
  other_members: string;
}

export interface MemberWatermark {
  user_id: string;
  last_delivered_seq: string;
  last_read_seq: string;
}

/**
 * Takes the next seq, inserts the message and advances the sender's watermarks in one
 * statement, which PostgreSQL runs atomically without an explicit transaction. The UPDATE's
 * row lock serialises senders within one conversation only. Nothing comes back and nothing
 * changes when the target does not exist or the sender is not a member. A repeated
 * (sender, client_message_id) pair fails the whole statement with a unique violation, so
 * last_seq keeps no gap.
 */
const INSERT_MESSAGE = (targetClause: string) => `
  WITH target AS (
    UPDATE conversations c SET last_seq = c.last_seq + 1
    WHERE ${targetClause}
      AND EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.conversation_id = c.id AND cm.user_id = $2)
    RETURNING c.id, c.last_seq, c.type, c.direct_key
  ), inserted AS (
    INSERT INTO messages (conversation_id, seq, sender_id, content, message_type, client_message_id)
    SELECT id, last_seq, $2, $3, $4, $5 FROM target
    RETURNING *
  ), watermark AS (
    UPDATE conversation_members cm
    SET last_delivered_seq = GREATEST(cm.last_delivered_seq, i.seq), last_read_seq = GREATEST(cm.last_read_seq, i.seq)
    FROM inserted i
    WHERE cm.conversation_id = i.conversation_id AND cm.user_id = $2
  )
  SELECT i.*, t.type AS conversation_type, t.direct_key,
    (SELECT count(*) FROM conversation_members o WHERE o.conversation_id = i.conversation_id AND o.user_id <> $2) AS other_members
  FROM inserted i JOIN target t ON t.id = i.conversation_id`;

const INSERT_DIRECT = INSERT_MESSAGE('c.direct_key = $1');
const INSERT_GROUP = INSERT_MESSAGE(`c.id = $1 AND c.type = 'group'`);

@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Insert as one autocommit statement: one round trip and no BEGIN or COMMIT. Resolves to null
   * when nothing was inserted (see INSERT_MESSAGE).
   */
  async insert(target: SendTarget, message: NewMessage): Promise<InsertedMessage | null> {
    const [sql, key] = 'directKey' in target ? [INSERT_DIRECT, target.directKey] : [INSERT_GROUP, target.conversationId];
    try {
      const rows: InsertedMessage[] = await this.dataSource.query(sql, [
        key,
        message.senderId,
        message.content,
        message.messageType,
        message.clientMessageId,
      ]);
      return rows[0] ?? null;
    } catch (error) {
      if (isDuplicateClientMessageId(error)) return null;
      throw error;
    }
  }

  async findByClientId(senderId: string, clientMessageId: string): Promise<MessageRow | null> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.sender_id = $1 AND m.client_message_id = $2`,
      [senderId, clientMessageId],
    );
    return rows[0] ?? null;
  }

  /**
   * One page of a conversation by seq: after a seq ascending, before a seq descending, or
   * the newest page. Reads limit + 1 rows so the caller can tell whether more exist.
   */
  async page(conversationId: string, limit: number, before?: number, after?: number): Promise<MessageRow[]> {
    const params: unknown[] = [conversationId, limit + 1];
    const conditions = ['m.conversation_id = $1'];
    if (after !== undefined) conditions.push(`m.seq > $${params.push(after)}`);
    if (before !== undefined) conditions.push(`m.seq < $${params.push(before)}`);
    const order = after !== undefined ? 'ASC' : 'DESC';

    return this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE ${conditions.join(' AND ')} ORDER BY m.seq ${order} LIMIT $2`,
      params,
    );
  }

  watermarks(conversationId: string): Promise<MemberWatermark[]> {
    return this.dataSource.query(`SELECT user_id, last_delivered_seq, last_read_seq FROM conversation_members WHERE conversation_id = $1`, [
      conversationId,
    ]);
  }
}

/** Check whether an error is the unique violation of a retried clientMessageId, which TypeORM wraps in a QueryFailedError. */
function isDuplicateClientMessageId(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
  return driverError?.code === '23505' && driverError.constraint === 'messages_sender_client_id_key';
}
