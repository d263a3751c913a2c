import { Session } from '../auth/session.entity';
import { Group } from '../groups/group.entity';
import { ConversationMember } from '../messages/conversation-member.entity';
import { Conversation } from '../messages/conversation.entity';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';

export const ENTITIES = [User, Conversation, ConversationMember, Group, Message, Session];
