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

const STORE_MESSAGES = `SELECT * FROM store_messages($1, $2, $3, $4, $5, $6)`;

export interface MemberWatermark {
  user_id: string;
  last_delivered_seq: string;
  last_read_seq: string;
}

/** One send handed to store_messages. */
export interface PendingMessage {
  target: SendTarget;
  message: NewMessage;
}

@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Store a batch in one call of store_messages, which runs as one autocommit transaction: the
   * whole batch is durable when this resolves, or nothing of it is. Resolves to one entry per
   * item, null where nothing was inserted (see the store_messages migration). Items must come
   * ordered by conversation.
   */
  async insertMany(items: readonly PendingMessage[]): Promise<(InsertedMessage | null)[]> {
    const rows: (InsertedMessage & { item: number })[] = await this.dataSource.query(STORE_MESSAGES, [
      items.map(({ target }) => ('directKey' in target ? target.directKey : target.conversationId)),
      items.map(({ target }) => !('directKey' in target)),
      items.map(({ message }) => message.senderId),
      items.map(({ message }) => message.content),
      items.map(({ message }) => message.messageType),
      items.map(({ message }) => message.clientMessageId),
    ]);

    const stored: (InsertedMessage | null)[] = items.map(() => null);
    for (const row of rows) stored[row.item - 1] = row;
    return stored;
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
