import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MemberRole } from '../messages/conversation-member.entity';

export interface GroupRow {
  id: string;
  name: string;
  description: string | null;
  created_by: string;
  created_at: Date;
}

export interface GroupMemberRow {
  group_id: string;
  id: string;
  username: string;
  role: MemberRole;
  joined_at: Date;
  last_seen_at: Date | null;
}

export interface NewGroup {
  name: string;
  description: string | null;
  createdBy: string;
}

export type JoinOutcome = 'joined' | 'already-member' | 'full' | 'not-found';

export interface LeaveOutcome {
  /** The member promoted because the owner left, or null when a member who was not owner left or no member remains. */
  newOwnerId: string | null;
}

const GROUP_COLUMNS = 'g.id, g.name, g.description, g.created_by, g.created_at';

@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async existingUserIds(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM users WHERE id = ANY($1::uuid[])`, [userIds]);
    return rows.map((row) => row.id);
  }

  /** Insert the group's conversation, the group and its members in one transaction. The creator becomes owner. */
  async create(group: NewGroup, memberIds: string[]): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const [conversation]: { id: string }[] = await manager.query(`INSERT INTO conversations (type) VALUES ('group') RETURNING id`);
      await manager.query(`INSERT INTO groups (id, name, description, created_by) VALUES ($1, $2, $3, $4)`, [
        conversation.id,
        group.name,
        group.description,
        group.createdBy,
      ]);
      await manager.query(`INSERT INTO conversation_members (conversation_id, user_id, role) VALUES ($1, $2, 'owner')`, [
        conversation.id,
        group.createdBy,
      ]);
      await manager.query(
        `INSERT INTO conversation_members (conversation_id, user_id, role)
         SELECT $1, u.id, 'member' FROM users u WHERE u.id = ANY($2::uuid[]) ORDER BY u.id`,
        [conversation.id, memberIds],
      );
      return conversation.id;
    });
  }

  async findForMember(groupId: string, userId: string): Promise<GroupRow | null> {
    const rows: GroupRow[] = await this.dataSource.query(
      `SELECT ${GROUP_COLUMNS} FROM groups g
       JOIN conversation_members cm ON cm.conversation_id = g.id AND cm.user_id = $2
       WHERE g.id = $1`,
      [groupId, userId],
    );
    return rows[0] ?? null;
  }

  listForMember(userId: string): Promise<GroupRow[]> {
    return this.dataSource.query(
      `SELECT ${GROUP_COLUMNS} FROM groups g
       JOIN conversation_members cm ON cm.conversation_id = g.id AND cm.user_id = $1
       ORDER BY g.created_at, g.id`,
      [userId],
    );
  }

  /** Return the members of every listed group in one query, longest-standing first within each group. */
  async members(groupIds: string[]): Promise<GroupMemberRow[]> {
    if (groupIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT cm.conversation_id AS group_id, u.id, u.username, cm.role, cm.joined_at, u.last_seen_at
       FROM conversation_members cm JOIN users u ON u.id = cm.user_id
       WHERE cm.conversation_id = ANY($1::uuid[])
       ORDER BY cm.joined_at, u.id`,
      [groupIds],
    );
  }

  /** Return the ids of every group the user belongs to. */
  async groupIdsOf(userId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT cm.conversation_id AS id FROM conversation_members cm
       JOIN conversations c ON c.id = cm.conversation_id AND c.type = 'group'
       WHERE cm.user_id = $1`,
      [userId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Add a member whose watermarks start at the group's current last_seq, so earlier messages
   * count as neither unread nor pending for sync. The first member of an empty group becomes owner.
   */
  async join(groupId: string, userId: string, maxMembers: number): Promise<JoinOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const lastSeq = await this.lockGroup(manager, groupId);
      if (lastSeq === null) return 'not-found';

      const [counts]: { members: number; is_member: boolean | null }[] = await manager.query(
        `SELECT count(*)::int AS members, bool_or(user_id = $2) AS is_member
         FROM conversation_members WHERE conversation_id = $1`,
        [groupId, userId],
      );
      if (counts.is_member) return 'already-member';
      if (counts.members >= maxMembers) return 'full';

      const role: MemberRole = counts.members === 0 ? 'owner' : 'member';
      await manager.query(
        `INSERT INTO conversation_members (conversation_id, user_id, role, last_delivered_seq, last_read_seq)
         VALUES ($1, $2, $3, $4, $4)`,
        [groupId, userId, role, lastSeq],
      );
      return 'joined';
    });
  }

  /**
   * Remove a member. When the owner leaves, the longest-standing remaining member (by
   * joined_at) becomes owner. Resolves to null when the user was not a member.
   */
  async leave(groupId: string, userId: string): Promise<LeaveOutcome | null> {
    return this.dataSource.transaction(async (manager) => {
      if ((await this.lockGroup(manager, groupId)) === null) return null;

      const removed: { role: MemberRole }[] = await manager.query(
        `WITH removed AS (
           DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2 RETURNING role
         )
         SELECT role FROM removed`,
        [groupId, userId],
      );
      if (removed.length === 0) return null;
      if (removed[0].role !== 'owner') return { newOwnerId: null };

      const promoted: { user_id: string }[] = await manager.query(
        `WITH promoted AS (
           UPDATE conversation_members SET role = 'owner'
           WHERE conversation_id = $1 AND user_id = (
             SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, user_id LIMIT 1
           )
           RETURNING user_id
         )
         SELECT user_id FROM promoted`,
        [groupId],
      );
      return { newOwnerId: promoted[0]?.user_id ?? null };
    });
  }

  /**
   * Lock the group's conversation row until the transaction ends and return its last_seq, or
   * null when no such group exists. The lock serialises joins, leaves and sends in this group,
   * so the member count cannot change between a check and an insert, and no message takes a
   * seq between reading last_seq and storing it as a new member's watermark.
   */
  private async lockGroup(manager: EntityManager, groupId: string): Promise<string | null> {
    const rows: { last_seq: string }[] = await manager.query(
      `SELECT c.last_seq FROM conversations c JOIN groups g ON g.id = c.id WHERE c.id = $1 FOR UPDATE OF c`,
      [groupId],
    );
    return rows[0]?.last_seq ?? null;
  }
}
