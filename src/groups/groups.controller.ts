import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import { Principal } from '../auth/token.service';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { uuidPipe } from '../common/validation/uuid.pipe';
import { CreateGroupDto } from './dto/create-group.dto';
import { GroupMemberView, GroupView } from './dto/group.view';
import { GroupsService } from './groups.service';

@ApiTags('groups')
@ApiBearerAuth()
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a group with the caller as owner',
    description:
      'memberIDs are added as members at once, and their connected sockets start receiving the group at once. ' +
      'Unknown memberIDs are rejected with NOT_FOUND, and naming more than 99 users besides the creator with VALIDATION_FAILED.',
  })
  @ApiCreatedResponse({ type: GroupView })
  @ApiErrors(400, 401, 404, 413)
  create(@CurrentUser() caller: Principal, @Body() dto: CreateGroupDto): Promise<GroupView> {
    return this.groups.create(caller.userId, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the groups the caller belongs to' })
  @ApiOkResponse({ type: [GroupView], description: 'The groups the caller belongs to, oldest first' })
  @ApiErrors(401)
  list(@CurrentUser() caller: Principal): Promise<GroupView[]> {
    return this.groups.list(caller.userId);
  }

  @Get(':groupID')
  @ApiOperation({ summary: 'Get a group with its members', description: 'Returns NOT_FOUND unless the caller is a member.' })
  @ApiOkResponse({ type: GroupView })
  @ApiErrors(400, 401, 404)
  get(@CurrentUser() caller: Principal, @Param('groupID', uuidPipe('groupID')) groupId: string): Promise<GroupView> {
    return this.groups.get(groupId, caller.userId);
  }

  @Get(':groupID/members')
  @ApiOperation({
    summary: 'List the members of a group with their role and presence status',
    description: 'Returns NOT_FOUND unless the caller is a member.',
  })
  @ApiOkResponse({ type: [GroupMemberView], description: 'Visible to members only, longest-standing first' })
  @ApiErrors(400, 401, 404)
  members(@CurrentUser() caller: Principal, @Param('groupID', uuidPipe('groupID')) groupId: string): Promise<GroupMemberView[]> {
    return this.groups.members(groupId, caller.userId);
  }

  @Post(':groupID/join')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Join a group',
    description:
      'Any user who knows the group id may join. The members receive group:member-joined. The caller can read the ' +
      "group's earlier history, but earlier messages count as neither unread nor pending for sync. Joining a group one " +
      'already belongs to changes nothing and sends no event. A group with 100 members rejects the join with GROUP_FULL (409).',
  })
  @ApiOkResponse({ type: GroupView })
  @ApiErrors(400, 401, 404, 409)
  join(@CurrentUser() caller: Principal, @Param('groupID', uuidPipe('groupID')) groupId: string): Promise<GroupView> {
    return this.groups.join(groupId, caller.userId);
  }

  @Delete(':groupID/leave')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Leave a group',
    description:
      'The members, the caller included, receive group:member-left, and the caller stops receiving the group at once. ' +
      'When the owner leaves, the longest-standing remaining member becomes owner. The last member leaving leaves an empty group.',
  })
  @ApiNoContentResponse({ description: 'Left the group' })
  @ApiErrors(400, 401, 404)
  leave(@CurrentUser() caller: Principal, @Param('groupID', uuidPipe('groupID')) groupId: string): Promise<void> {
    return this.groups.leave(groupId, caller.userId);
  }
}
