import { Injectable, Logger } from '@nestjs/common';
import { AppError, notFound } from '../common/errors/app-error';
import { PresenceLookup, PresenceService } from '../presence/presence.service';
import { conversationRoom, RealtimeEmitter } from '../realtime/realtime.emitter';
import { CreateGroupDto } from './dto/create-group.dto';
import { GroupMemberView, GroupView } from './dto/group.view';
import { GroupMemberRow, GroupRow, GroupsRepository } from './groups.repository';

/** Maximum number of members of one group, the creator included. */
export const MAX_GROUP_MEMBERS = 100;

/** Payload of the `group:member-joined` and `group:member-left` events. */
export interface GroupMemberEvent {
  groupID: string;
  userID: string;
}

@Injectable()
export class GroupsService {
  private readonly logger = new Logger(GroupsService.name);

  constructor(
    private readonly groups: GroupsRepository,
    private readonly presence: PresenceService,
    private readonly realtime: RealtimeEmitter,
  ) {}

  /** Create a group with the caller as owner and move every member's sockets into its room. */
  async create(creatorId: string, dto: CreateGroupDto): Promise<GroupView> {
    const memberIds = [...new Set(dto.memberIDs ?? [])].filter((id) => id !== creatorId);
    if (memberIds.length + 1 > MAX_GROUP_MEMBERS) {
      const message = `memberIDs names ${memberIds.length} other users, but a group has at most ${MAX_GROUP_MEMBERS} members including the creator`;
      throw new AppError('VALIDATION_FAILED', message, [{ field: 'memberIDs', constraints: [message] }]);
    }

    const known = new Set(await this.groups.existingUserIds(memberIds));
    const unknown = memberIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const message = `memberIDs contains unknown users: ${unknown.join(', ')}`;
      throw new AppError('NOT_FOUND', message, [{ field: 'memberIDs', constraints: [message] }]);
    }

    const groupId = await this.groups.create({ name: dto.name, description: dto.description ?? null, createdBy: creatorId }, memberIds);
    for (const userId of [creatorId, ...memberIds]) this.realtime.joinRoom(userId, conversationRoom(groupId));
    return this.get(groupId, creatorId);
  }

  async list(userId: string): Promise<GroupView[]> {
    const groups = await this.groups.listForMember(userId);
    const members = await this.groups.members(groups.map((group) => group.id));
    const presence = await this.presence.lookup(members.map((member) => member.id));
    return groups.map((group) => this.toView(group, members, presence));
  }

  /** A group the caller belongs to; NOT_FOUND for everyone else. */
  async get(groupId: string, userId: string): Promise<GroupView> {
    const group = await this.groupForMember(groupId, userId);
    const members = await this.groups.members([groupId]);
    return this.toView(group, members, await this.presence.lookup(members.map((member) => member.id)));
  }

  async members(groupId: string, userId: string): Promise<GroupMemberView[]> {
    await this.groupForMember(groupId, userId);
    const rows = await this.groups.members([groupId]);
    const presence = await this.presence.lookup(rows.map((row) => row.id));
    return rows.map((row) => this.toMemberView(row, presence));
  }

  /** Join a group; joining again changes nothing and sends no event. */
  async join(groupId: string, userId: string): Promise<GroupView> {
    const outcome = await this.groups.join(groupId, userId, MAX_GROUP_MEMBERS);
    if (outcome === 'not-found') throw notFound('Group');
    if (outcome === 'full') {
      throw new AppError('GROUP_FULL', `Group ${groupId} already has the maximum of ${MAX_GROUP_MEMBERS} members`);
    }

    if (outcome === 'joined') {
      this.realtime.joinRoom(userId, conversationRoom(groupId));
      this.realtime.toConversation(groupId, 'group:member-joined', { groupID: groupId, userID: userId } satisfies GroupMemberEvent);
    }
    return this.get(groupId, userId);
  }

  /** Leave a group. The event reaches the leaver's own sockets too, before they leave the room. */
  async leave(groupId: string, userId: string): Promise<void> {
    const outcome = await this.groups.leave(groupId, userId);
    if (!outcome) throw notFound('Group');
    if (outcome.newOwnerId) this.logger.log({ groupId, userId, newOwnerId: outcome.newOwnerId }, 'Group owner left; ownership passed on');

    this.realtime.toConversation(groupId, 'group:member-left', { groupID: groupId, userID: userId } satisfies GroupMemberEvent);
    this.realtime.leaveRoom(userId, conversationRoom(groupId));
  }

  /** The ids of every group the user belongs to, for joining a new socket to their rooms. */
  groupIdsOf(userId: string): Promise<string[]> {
    return this.groups.groupIdsOf(userId);
  }

  private async groupForMember(groupId: string, userId: string): Promise<GroupRow> {
    const group = await this.groups.findForMember(groupId, userId);
    if (!group) throw notFound('Group');
    return group;
  }

  private toView(group: GroupRow, members: GroupMemberRow[], presence: PresenceLookup): GroupView {
    return {
      id: group.id,
      name: group.name,
      description: group.description,
      createdBy: group.created_by,
      members: members.filter((member) => member.group_id === group.id).map((member) => this.toMemberView(member, presence)),
      createdAt: new Date(group.created_at).toISOString(),
    };
  }

  private toMemberView(row: GroupMemberRow, presence: PresenceLookup): GroupMemberView {
    return {
      id: row.id,
      username: row.username,
      role: row.role,
      status: presence.statusOf(row.id, row.last_seen_at).status,
      joinedAt: new Date(row.joined_at).toISOString(),
    };
  }
}
