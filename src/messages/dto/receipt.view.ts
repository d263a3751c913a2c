import { ApiProperty } from '@nestjs/swagger';

export class DeliveredView {
  @ApiProperty({ format: 'uuid' })
  conversationID: string;

  @ApiProperty({ description: "The caller's delivered watermark after the update" })
  lastDeliveredSeq: number;
}

export class ReadView {
  @ApiProperty({ format: 'uuid' })
  conversationID: string;

  @ApiProperty({ description: "The caller's read watermark after the update" })
  lastReadSeq: number;

  @ApiProperty({ description: 'Messages after the read watermark' })
  unread: number;
}

export class ConversationUnreadView {
  @ApiProperty({ format: 'uuid' })
  conversationID: string;

  @ApiProperty({ minimum: 1 })
  unread: number;
}

export class UnreadView {
  @ApiProperty({ description: 'Sum of unread over every conversation' })
  total: number;

  @ApiProperty({ type: [ConversationUnreadView], description: 'Only conversations with at least one unread message' })
  conversations: ConversationUnreadView[];
}

/** Payload of the `message:delivered` and `message:read` events pushed to the other members. */
export interface ReceiptEvent {
  conversationID: string;
  userID: string;
  seq: number;
}
