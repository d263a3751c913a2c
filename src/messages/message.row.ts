import { MessageView } from './dto/message.view';
import { MessageType } from './message.entity';

/** A messages row as raw SQL returns it, joined with what the view needs. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: string;
  sender_id: string;
  content: string;
  message_type: MessageType;
  client_message_id: string | null;
  created_at: Date;
  conversation_type: 'direct' | 'group';
  direct_key: string | null;
}

/** The columns a MessageRow selects from messages m joined with conversations c. */
export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.sender_id, m.content, m.message_type,
  m.client_message_id, m.created_at, c.type AS conversation_type, c.direct_key`;

/** The ordered pair key that makes a direct conversation unique per unordered pair of users. */
export function directKeyOf(userA: string, userB: string): string {
  return userA < userB ? `${userA}:${userB}` : `${userB}:${userA}`;
}

export function toMessageView(row: MessageRow, delivered: boolean, read: boolean): MessageView {
  const view: MessageView = {
    id: row.id,
    conversationID: row.conversation_id,
    seq: Number(row.seq),
    senderID: row.sender_id,
    content: row.content,
    messageType: row.message_type,
    timestamp: new Date(row.created_at).toISOString(),
    delivered,
    read,
  };
  if (row.conversation_type === 'group') view.groupID = row.conversation_id;
  else if (row.direct_key) view.recipientID = row.direct_key.split(':').find((id) => id !== row.sender_id) ?? row.sender_id;
  if (row.client_message_id !== null) view.clientMessageId = row.client_message_id;
  return view;
}
