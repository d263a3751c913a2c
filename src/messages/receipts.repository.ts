import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A member's watermarks before and after a receipt; bigint columns arrive from pg as strings. */
export interface WatermarkChange {
  previous_delivered_seq: string;
  previous_read_seq: string;
  last_delivered_seq: string;
  last_read_seq: string;
  last_seq: string;
}

export interface UnreadRow {
  conversation_id: string;
  unread: string;
}

/**
 * Moves a member's watermarks forward to seq, clamped to the conversation's last_seq, in one
 * statement. The first CTE locks the member row and reads the values before the update, so
 * the caller can tell whether a watermark moved even under concurrent receipts. Nothing comes
 * back when the user is not a member.
 */
const ADVANCE_WATERMARKS = `
  WITH locked AS (
    SELECT cm.last_delivered_seq, cm.last_read_seq, c.last_seq, LEAST($3::bigint, c.last_seq) AS target
    FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
    WHERE cm.conversation_id = $1 AND cm.user_id = $2
    FOR UPDATE OF cm
  ), updated AS (
    UPDATE conversation_members cm
    SET last_delivered_seq = GREATEST(cm.last_delivered_seq, locked.target),
        last_read_seq = CASE WHEN $4::boolean THEN GREATEST(cm.last_read_seq, locked.target) ELSE cm.last_read_seq END
    FROM locked
    WHERE cm.conversation_id = $1 AND cm.user_id = $2
    RETURNING cm.last_delivered_seq, cm.last_read_seq
  )
  SELECT locked.last_delivered_seq AS previous_delivered_seq, locked.last_read_seq AS previous_read_seq,
    updated.last_delivered_seq, updated.last_read_seq, locked.last_seq
  FROM locked CROSS JOIN updated`;

@Injectable()
export class ReceiptsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Advance the delivered watermark, and with `read` the read watermark too, to at least seq. */
  async advance(conversationId: string, userId: string, seq: number, read: boolean): Promise<WatermarkChange | null> {
    const rows: WatermarkChange[] = await this.dataSource.query(ADVANCE_WATERMARKS, [conversationId, userId, seq, read]);
    return rows[0] ?? null;
  }

  /** Every conversation of the user with unread messages, in one query whatever their number. */
  unread(userId: string): Promise<UnreadRow[]> {
    return this.dataSource.query(
      `SELECT cm.conversation_id, c.last_seq - cm.last_read_seq AS unread
       FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
       WHERE cm.user_id = $1 AND c.last_seq > cm.last_read_seq
       ORDER BY cm.conversation_id`,
      [userId],
    );
  }
}
