import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Environment } from '../config/environment';
import { ConversationsService } from '../messages/conversations.service';
import { PresenceRepository } from '../presence/presence.repository';
import { FixedWindowRateLimiter } from '../presence/rate-limiter';
import { TypingDto, TypingEventView } from './dto/typing.dto';
import { RealtimeEmitter } from './realtime.emitter';

interface TypingState {
  timer: NodeJS.Timeout;
  /** The socket that last started or renewed it; closing that socket ends it. */
  socketId: string;
  /** The other members when typing started; the expiry relays to them without a query. */
  recipients: string[];
}

/**
 * Typing indicators, kept in this process per user and conversation. Only changes are
 * relayed to the other members: a start, a stop, and the expiry of a start that was not
 * renewed within TYPING_TTL_MS. Typing events have their own per-user rate limit and never
 * count against the message limit.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly states = new Map<string, TypingState>();
  private readonly limiter: FixedWindowRateLimiter;
  private readonly ttlMs: number;

  constructor(
    private readonly conversations: ConversationsService,
    private readonly members: PresenceRepository,
    private readonly realtime: RealtimeEmitter,
    config: ConfigService<Environment, true>,
  ) {
    this.ttlMs = config.get('TYPING_TTL_MS', { infer: true });
    this.limiter = new FixedWindowRateLimiter(
      config.get('TYPING_RATE_LIMIT', { infer: true }),
      config.get('TYPING_RATE_WINDOW_MS', { infer: true }),
      'typing events',
    );
  }

  /** Start, renew or stop the caller's typing state; NOT_FOUND unless the caller is a member. */
  async update(userId: string, socketId: string, dto: TypingDto): Promise<TypingEventView> {
    this.limiter.consume(userId);
    const conversation = await this.conversations.resolve(dto.conversationID, userId);
    const recipients = await this.members.otherMemberIds(conversation.id, userId);

    // From here on nothing awaits, so relays leave in the order the states change.
    const event: TypingEventView = { conversationID: conversation.id, userID: userId, isTyping: dto.isTyping };
    const changed = dto.isTyping ? this.start(event, socketId, recipients) : this.stop(event);
    if (changed) this.realtime.toUsers(recipients, 'typing', event);
    return event;
  }

  /** End the typing states a closed socket started, relaying isTyping: false at once instead of after the TTL. */
  socketClosed(socketId: string): void {
    for (const [key, state] of this.states) {
      if (state.socketId !== socketId) continue;
      const [conversationID, userID] = key.split(':');
      this.expire({ conversationID, userID, isTyping: false });
    }
  }

  onModuleDestroy(): void {
    for (const state of this.states.values()) clearTimeout(state.timer);
    this.states.clear();
  }

  /** Returns true when the user was not typing before, false when this renews the state. */
  private start(event: TypingEventView, socketId: string, recipients: string[]): boolean {
    const key = keyOf(event);
    const state = this.states.get(key);
    if (state) {
      state.timer.refresh();
      state.socketId = socketId;
      state.recipients = recipients;
      return false;
    }
    const timer = setTimeout(() => this.expire(event), this.ttlMs).unref();
    this.states.set(key, { timer, socketId, recipients });
    return true;
  }

  /** Returns true when the user was typing. */
  private stop(event: TypingEventView): boolean {
    const state = this.states.get(keyOf(event));
    if (!state) return false;
    clearTimeout(state.timer);
    this.states.delete(keyOf(event));
    return true;
  }

  private expire(event: TypingEventView): void {
    const state = this.states.get(keyOf(event));
    if (!state) return;
    clearTimeout(state.timer);
    this.states.delete(keyOf(event));
    this.realtime.toUsers(state.recipients, 'typing', { ...event, isTyping: false });
  }
}

const keyOf = (event: TypingEventView) => `${event.conversationID}:${event.userID}`;
