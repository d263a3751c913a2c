import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Recipients of a user's presence events, and the stored lastSeen sent with them. */
export interface PresenceAudience {
  lastSeenAt: Date | null;
  contactIds: string[];
}

@Injectable()
export class PresenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Read the user's stored lastSeen and the distinct other users who share a conversation with them. */
  async audienceOf(userId: string): Promise<PresenceAudience> {
    const rows: { last_seen_at: Date | null; contact_ids: string[] }[] = await this.dataSource.query(
      `SELECT u.last_seen_at,
         ARRAY(SELECT DISTINCT other.user_id FROM conversation_members me
               JOIN conversation_members other ON other.conversation_id = me.conversation_id AND other.user_id <> me.user_id
               WHERE me.user_id = u.id)::text[] AS contact_ids
       FROM users u WHERE u.id = $1`,
      [userId],
    );
    if (rows.length === 0) return { lastSeenAt: null, contactIds: [] };
    return { lastSeenAt: rows[0].last_seen_at, contactIds: rows[0].contact_ids };
  }

  async lastSeenOf(userId: string): Promise<Date | null> {
    const rows: { last_seen_at: Date | null }[] = await this.dataSource.query('SELECT last_seen_at FROM users WHERE id = $1', [userId]);
    return rows[0]?.last_seen_at ?? null;
  }

  /** List every member of a conversation except one user. */
  async otherMemberIds(conversationId: string, exceptUserId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      'SELECT user_id FROM conversation_members WHERE conversation_id = $1 AND user_id <> $2',
      [conversationId, exceptUserId],
    );
    return rows.map((row) => row.user_id);
  }

  async storeLastSeen(userIds: string[], at: Date): Promise<void> {
    if (userIds.length === 0) return;
    await this.dataSource.query('UPDATE users SET last_seen_at = $2 WHERE id = ANY($1::uuid[])', [userIds, at]);
  }
}
