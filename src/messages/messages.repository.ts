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
 * statement. The UPDATE's row lock serialises senders within one conversation only.
 * Nothing comes back when the target does not exist, the sender is not a member, or the
 * (sender, client_message_id) pair already exists; the caller then rolls back so last_seq
 * keeps no gap.
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
    ON CONFLICT (sender_id, client_message_id) DO NOTHING
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

  /** Insert in its own transaction; resolves to null when nothing was inserted (see INSERT_MESSAGE). */
  async insert(target: SendTarget, message: NewMessage): Promise<InsertedMessage | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [sql, key] = 'directKey' in target ? [INSERT_DIRECT, target.directKey] : [INSERT_GROUP, target.conversationId];
      const rows: InsertedMessage[] = await runner.query(sql, [
        key,
        message.senderId,
        message.content,
        message.messageType,
        message.clientMessageId,
      ]);
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        return null;
      }
      await runner.commitTransaction();
      return rows[0];
    } catch (error) {
      // After a lost connection the rollback fails as well (TypeORM may have released the runner
      // already). The original error is the one that reports the database as down.
      if (runner.isTransactionActive && !runner.isReleased) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
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
