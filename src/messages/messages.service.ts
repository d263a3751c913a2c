import { Injectable } from '@nestjs/common';
import { AppError, notFound } from '../common/errors/app-error';
import { MetricsService } from '../metrics/metrics.service';
import { RealtimeEmitter } from '../realtime/realtime.emitter';
import { MessageView } from './dto/message.view';
import { SendMessageDto } from './dto/send-message.dto';
import { directKeyOf, toMessageView } from './message.row';
import { MessageBatcher } from './message-batcher';
import { MessagesRepository, NewMessage, SendTarget } from './messages.repository';

export interface SendResult {
  message: MessageView;
  /** False when a retry with a known clientMessageId returned the original message. */
  created: boolean;
}

@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly batcher: MessageBatcher,
    private readonly realtime: RealtimeEmitter,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Store a message and push it to every socket of every member once the insert has
   * committed. A retry with a known clientMessageId returns the stored message unpushed.
   */
  async send(senderId: string, dto: SendMessageDto): Promise<SendResult> {
    const target = this.targetOf(senderId, dto);
    const message: NewMessage = {
      senderId,
      content: dto.content,
      messageType: dto.messageType ?? 'text',
      clientMessageId: dto.clientMessageId ?? null,
    };

    const inserted = await this.batcher.store(target, message);
    if (!inserted) return this.replay(senderId, dto);

    const othersCount = Number(inserted.other_members);
    const view = toMessageView(inserted, othersCount === 0, othersCount === 0);
    this.metrics.messagesSent.inc({ kind: view.groupID ? 'group' : 'direct' });
    if (view.groupID) this.realtime.toConversation(view.groupID, 'message', view);
    else this.realtime.toUsers([senderId, view.recipientID!], 'message', view);
    return { message: view, created: true };
  }

  private targetOf(senderId: string, dto: SendMessageDto): SendTarget {
    if ((dto.recipientID === undefined) === (dto.groupID === undefined)) {
      throw new AppError('VALIDATION_FAILED', 'exactly one of recipientID and groupID is required', [
        { field: 'recipientID', constraints: ['exactly one of recipientID and groupID is required'] },
      ]);
    }
    if (dto.groupID) return { conversationId: dto.groupID };
    if (dto.recipientID === senderId) {
      throw new AppError('VALIDATION_FAILED', 'recipientID must be another user', [
        { field: 'recipientID', constraints: ['recipientID must be another user'] },
      ]);
    }
    return { directKey: directKeyOf(senderId, dto.recipientID!) };
  }

  private async replayOf(senderId: string, dto: SendMessageDto) {
    if (!dto.clientMessageId) return null;
    return this.messages.findByClientId(senderId, dto.clientMessageId);
  }

  /** Nothing was inserted: either a retry of a stored message or a target the sender may not use. */
  private async replay(senderId: string, dto: SendMessageDto): Promise<SendResult> {
    const original = await this.replayOf(senderId, dto);
    if (!original) throw notFound(dto.groupID ? 'Group' : 'Recipient');

    const view = toMessageView(original, false, false);
    const sameTarget = dto.groupID ? view.groupID === dto.groupID : view.recipientID === dto.recipientID;
    if (!sameTarget) {
      throw new AppError('CONFLICT', 'clientMessageId was already used for a message to another conversation');
    }
    const [withReceipts] = await this.withReceipts([original]);
    return { message: withReceipts, created: false };
  }

  /** Attach delivered and read flags computed from the other members' watermarks. */
  async withReceipts(rows: Parameters<typeof toMessageView>[0][]): Promise<MessageView[]> {
    if (rows.length === 0) return [];
    const members = await this.messages.watermarks(rows[0].conversation_id);
    return rows.map((row) => {
      const others = members.filter((member) => member.user_id !== row.sender_id);
      const seq = Number(row.seq);
      const delivered = others.every((member) => Number(member.last_delivered_seq) >= seq);
      const read = others.every((member) => Number(member.last_read_seq) >= seq);
      return toMessageView(row, delivered, read);
    });
  }
}
