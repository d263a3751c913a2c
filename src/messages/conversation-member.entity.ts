import { Column, Entity, PrimaryColumn } from 'typeorm';

export type MemberRole = 'owner' | 'member';

@Entity('conversation_members')
export class ConversationMember {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 10, default: 'member' })
  role: MemberRole;

  @Column({ name: 'last_delivered_seq', type: 'bigint', default: 0 })
  lastDeliveredSeq: string;

  @Column({ name: 'last_read_seq', type: 'bigint', default: 0 })
  lastReadSeq: string;

  @Column({ name: 'joined_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  joinedAt: Date;
}
