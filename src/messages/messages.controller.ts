import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { Principal } from '../auth/token.service';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { MessageSend } from '../common/throttling/throttle.decorators';
import { uuidPipe } from '../common/validation/uuid.pipe';
import { ConversationsService } from './conversations.service';
import { HistoryQueryDto } from './dto/history-query.dto';
import { HistoryPageView, MessageView } from './dto/message.view';
import { SendMessageDto } from './dto/send-message.dto';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly conversations: ConversationsService,
  ) {}

  @Post('send')
  @MessageSend()
  @ApiOperation({
    summary: 'Send a direct or group message',
    description: 'Returns 201 when stored, or 200 with the original message when clientMessageId repeats an earlier send.',
  })
  @ApiCreatedResponse({ type: MessageView })
  @ApiOkResponse({ type: MessageView, description: 'Idempotent replay of an earlier send with the same clientMessageId' })
  @ApiErrors(400, 401, 404, 409, 413, 429)
  async send(
    @CurrentUser() caller: Principal,
    @Body() dto: SendMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageView> {
    const { message, created } = await this.messages.send(caller.userId, dto);
    res.status(created ? 201 : 200);
    return message;
  }

  @Get('history/:conversationID')
  @ApiOperation({
    summary: 'Page through a conversation by seq',
    description: "conversationID may be a conversation id, a group id or, for a direct conversation, the other user's id.",
  })
  @ApiOkResponse({ type: HistoryPageView })
  @ApiErrors(400, 401, 404)
  history(
    @CurrentUser() caller: Principal,
    @Param('conversationID', uuidPipe('conversationID')) id: string,
    @Query() query: HistoryQueryDto,
  ): Promise<HistoryPageView> {
    return this.conversations.history(id, caller.userId, query);
  }
}
