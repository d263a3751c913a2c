import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import { Principal } from '../auth/token.service';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ConversationsService } from './conversations.service';
import { ConversationView } from './dto/conversation.view';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({
    summary: "List the caller's direct and group conversations",
    description:
      'Each entry carries the last message, the unread count from the read watermark and, for a direct conversation, the peer status.',
  })
  @ApiOkResponse({ type: [ConversationView], description: "The caller's conversations, most recent activity first" })
  @ApiErrors(401)
  list(@CurrentUser() caller: Principal): Promise<ConversationView[]> {
    return this.conversations.list(caller.userId);
  }
}
