import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import { Principal } from '../auth/token.service';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ReceiptDto } from './dto/receipt.dto';
import { ReadView, UnreadView } from './dto/receipt.view';
import { SyncQueryDto, SyncView } from './dto/sync.dto';
import { ReceiptsService } from './receipts.service';
import { SyncService } from './sync.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class ReceiptsController {
  constructor(
    private readonly receipts: ReceiptsService,
    private readonly sync: SyncService,
  ) {}

  @Post('read')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark a conversation read up to seq',
    description: 'The read watermark only moves forward, and reading implies delivery. The other members get message:read when it moved.',
  })
  @ApiOkResponse({ type: ReadView })
  @ApiErrors(400, 401, 404, 413)
  read(@CurrentUser() caller: Principal, @Body() dto: ReceiptDto): Promise<ReadView> {
    return this.receipts.markRead(caller.userId, dto);
  }

  @Get('unread')
  @ApiOperation({
    summary: 'Unread counts per conversation, from the read watermarks',
    description:
      "A conversation's unread count is its newest seq minus the caller's read watermark. Sending moves the sender's read " +
      'watermark to the new message, so own messages never count.',
  })
  @ApiOkResponse({ type: UnreadView })
  @ApiErrors(401)
  unread(@CurrentUser() caller: Principal): Promise<UnreadView> {
    return this.receipts.unread(caller.userId);
  }

  @Get('sync')
  @ApiOperation({
    summary: "Messages after the caller's delivered watermark, per conversation",
    description:
      'Call it after every connect and reconnect. It moves no watermark: confirm what was received with the ' +
      'message:delivered socket event (or POST /api/messages/read), then call it again while any conversation has hasMore.',
  })
  @ApiOkResponse({ type: SyncView })
  @ApiErrors(400, 401)
  pending(@CurrentUser() caller: Principal, @Query() query: SyncQueryDto): Promise<SyncView> {
    return this.sync.pending(caller.userId, query.limit);
  }
}
