import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ConversationType = 'direct' | 'group';

@Entity('conversations')
export class Conversation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 10 })
  type: ConversationType;

  /** For a direct conversation, the two user ids in sorted order, which makes it unique per unordered pair. */
  @Column({ name: 'direct_key', type: 'text', nullable: true })
  directKey: string | null;

  /** The seq of the newest message; bigint columns arrive from pg as strings. */
  @Column({ name: 'last_seq', type: 'bigint', default: 0 })
  lastSeq: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
