import { Type } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code';
import { DeliveredView, ReadView } from '../../messages/dto/receipt.view';
import { MessageView } from '../../messages/dto/message.view';
import { SyncView } from '../../messages/dto/sync.dto';
import { PRESENCE_REPORT_LIMIT, PRESENCE_REPORT_WINDOW_MS } from '../../presence/presence.service';
import { UserStatusView } from '../../users/dto/user.view';
import { RenewView } from '../dto/renew.dto';
import { TypingEventView } from '../dto/typing.dto';
import { JsonSchema, schemaRef } from './json-schemas';

/** A response class described with @ApiProperty, or a schema written here for payloads typed by an interface. */
export type PayloadShape = Type<unknown> | JsonSchema;

/**
 * An event the client emits. Its payload schema comes from the DTO that the gateway
 * handler validates, so it is not listed here.
 */
export interface ClientEventDoc {
  event: string;
  summary: string;
  /** Data of a successful ack. */
  reply: PayloadShape;
  /** Error names a failed ack may carry besides PAYLOAD_TOO_LARGE and INTERNAL, which any event may get. */
  errors: ErrorCode[];
  /** The client may emit the event without a payload. */
  payloadOptional?: boolean;
}

export interface ServerEventDoc {
  event: string;
  summary: string;
  payload: PayloadShape;
}

/** Error names that the ack of any client event may carry. */
export const COMMON_ERRORS: ErrorCode[] = ['PAYLOAD_TOO_LARGE', 'INTERNAL'];

const receiptEvent: JsonSchema = {
  type: 'object',
  required: ['conversationID', 'userID', 'seq'],
  properties: {
    conversationID: { type: 'string', format: 'uuid' },
    userID: { type: 'string', format: 'uuid', description: 'The member whose watermark moved' },
    seq: { type: 'integer', minimum: 1, description: 'The new watermark' },
  },
};

const groupMemberEvent: JsonSchema = {
  type: 'object',
  required: ['groupID', 'userID'],
  properties: {
    groupID: { type: 'string', format: 'uuid' },
    userID: { type: 'string', format: 'uuid' },
  },
};

export const CLIENT_EVENTS: ClientEventDoc[] = [
  {
    event: 'message:send',
    summary:
      'Send a message to a user (recipientID) or a group (groupID). The ack follows the commit; a retry with the same ' +
      'clientMessageId returns the original message without pushing it again. Counts against the per-user message limit.',
    reply: MessageView,
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
  },
  {
    event: 'message:delivered',
    summary: "Move the caller's delivered watermark of a conversation forward to seq; it never moves back.",
    reply: DeliveredView,
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'],
  },
  {
    event: 'message:read',
    summary: "Move the caller's read watermark (and the delivered one with it) forward to seq; it never moves back.",
    reply: ReadView,
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'],
  },
  {
    event: 'sync',
    summary:
      "Per conversation, the messages after the caller's delivered watermark, as GET /api/messages/sync returns them. " +
      'Moves no watermark.',
    reply: SyncView,
    errors: ['VALIDATION_FAILED', 'SERVICE_UNAVAILABLE'],
    payloadOptional: true,
  },
  {
    event: 'presence:set',
    summary:
      'Report whether the user is active on this device. "away" holds until the device reports "online" again. A ' +
      'device that sends no event for PRESENCE_IDLE_MS also counts as away until its next event. Limited to ' +
      `${PRESENCE_REPORT_LIMIT} reports per ${PRESENCE_REPORT_WINDOW_MS / 1000} s per user. The ack carries the user status across all devices.`,
    reply: UserStatusView,
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
  },
  {
    event: 'typing',
    summary:
      'Start (isTyping: true) or stop typing in a conversation. Repeat a start within TYPING_TTL_MS to keep it, or the ' +
      'server relays isTyping: false. Typing has its own per-user rate limit and does not count against the message limit.',
    reply: TypingEventView,
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
  },
  {
    event: 'auth:renew',
    summary:
      'Replace the access token of this socket with a fresh one of the same user, e.g. from POST /api/auth/refresh, ' +
      'before the current one expires; otherwise the server sends session:expired and disconnects the socket. A token ' +
      'of another session of the same user moves the socket to that session.',
    reply: RenewView,
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'SERVICE_UNAVAILABLE'],
  },
  {
    event: 'ping',
    summary: 'Application-level round trip; the ack data is "pong". Engine.IO heartbeats run separately.',
    reply: { type: 'string', const: 'pong' },
    errors: [],
  },
];

export const SERVER_EVENTS: ServerEventDoc[] = [
  {
    event: 'message',
    summary: "A new message, to every socket of every member, the sender's other devices included.",
    payload: MessageView,
  },
  {
    event: 'message:delivered',
    summary: "Another member's delivered watermark moved forward.",
    payload: receiptEvent,
  },
  {
    event: 'message:read',
    summary: "Another member's read watermark moved forward.",
    payload: receiptEvent,
  },
  {
    event: 'conversation:read',
    summary:
      "The receiver's own read watermark moved forward, on every socket of the receiver, so each device can update " +
      'its unread count. The data is what the read ack returned.',
    payload: ReadView,
  },
  {
    event: 'presence',
    summary:
      'A user who shares a conversation with the receiver changed status (online, away or offline); one event per change. ' +
      'lastSeen is when the user last went offline.',
    payload: UserStatusView,
  },
  {
    event: 'typing',
    summary: 'Another member started or stopped typing, or their typing expired (isTyping: false).',
    payload: TypingEventView,
  },
  {
    event: 'group:member-joined',
    summary: 'A user joined a group the receiver belongs to.',
    payload: groupMemberEvent,
  },
  {
    event: 'group:member-left',
    summary: 'A user left a group the receiver belongs to; the leaver gets it too.',
    payload: groupMemberEvent,
  },
  {
    event: 'session:expired',
    summary:
      'The access token of this socket expired without an auth:renew; the server disconnects the socket right after ' +
      'this event. Get a new access token with POST /api/auth/refresh and reconnect. Logout and a revoked session ' +
      'disconnect the socket without this event.',
    payload: schemaRef('ErrorBody'),
  },
  {
    event: 'exception',
    summary: 'The error of a client event that was emitted without an ack callback.',
    payload: schemaRef('ErrorBody'),
  },
  {
    event: 'connect_error',
    summary:
      'Socket.IO reserved event: the handshake failed. message is UNAUTHORIZED for a missing, invalid or expired token ' +
      'and SERVICE_UNAVAILABLE when the database is unavailable or the server is shutting down; data is the error body. ' +
      'A handshake from a browser origin outside CORS_ORIGINS is refused with HTTP 403 before the upgrade, so the client reports a transport error instead.',
    payload: {
      type: 'object',
      required: ['message', 'data'],
      properties: {
        message: { type: 'string', enum: ['UNAUTHORIZED', 'SERVICE_UNAVAILABLE'] },
        data: schemaRef('ErrorBody'),
      },
    },
  },
];
