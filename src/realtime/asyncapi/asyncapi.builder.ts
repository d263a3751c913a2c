import { Injectable, Type } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Environment } from '../../config/environment';
import { ChatGateway } from '../chat.gateway';
import { MAX_EVENT_BYTES } from '../payload-size.middleware';
import { GatewayHandler, handlersOf } from './gateway-handlers';
import { addViewSchemas, dtoSchema, errorSchemas, JsonSchema, schemaRef } from './json-schemas';
import { CLIENT_EVENTS, COMMON_ERRORS, ClientEventDoc, PayloadShape, SERVER_EVENTS, ServerEventDoc } from './socket-events';

/** Gateway classes whose handlers the document describes. */
export const SOCKET_GATEWAYS: Type<unknown>[] = [ChatGateway];

export const ASYNCAPI_VERSION = '3.0.0';
const CHANNEL = 'socket';
const SERVER = 'relay';

export type AsyncApiDocument = Record<string, unknown> & {
  servers: Record<string, Record<string, unknown>>;
  channels: Record<string, Record<string, unknown> & { messages: Record<string, unknown> }>;
  operations: Record<string, Record<string, unknown>>;
  components: Record<string, unknown> & { schemas: Record<string, JsonSchema>; messages: Record<string, Record<string, unknown>> };
};

/** Component key of an event: Socket.IO names contain ':', which AsyncAPI component keys may not. */
export const messageIdOf = (direction: 'client' | 'server', event: string) => `${direction}.${event.replace(/:/g, '.')}`;

/**
 * Builds the AsyncAPI 3 document of the Socket.IO protocol from the events listed in
 * socket-events.ts. Client payload schemas come from the DTO classes that the gateway
 * handlers validate. Ack data and server payloads come from the view classes.
 */
@Injectable()
export class AsyncApiBuilder {
  private document?: AsyncApiDocument;

  constructor(private readonly config: ConfigService<Environment, true>) {}

  /** Return the document, with the server host that the client used to fetch it. */
  build(host: string): AsyncApiDocument {
    this.document ??= this.create();
    return { ...this.document, servers: { [SERVER]: { ...this.document.servers[SERVER], host } } };
  }

  private create(): AsyncApiDocument {
    const schemas: Record<string, JsonSchema> = errorSchemas();
    const messages: Record<string, Record<string, unknown>> = {};
    const operations: Record<string, Record<string, unknown>> = {};
    const handlers = new Map(SOCKET_GATEWAYS.flatMap(handlersOf).map((handler) => [handler.event, handler]));

    for (const doc of CLIENT_EVENTS) {
      const id = messageIdOf('client', doc.event);
      messages[id] = this.clientMessage(doc, handlers.get(doc.event), schemas);
      messages[`${id}.ack`] = this.ackMessage(doc, schemas);
      operations[`receive.${id.slice('client.'.length)}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${CHANNEL}` },
        summary: doc.summary,
        messages: [{ $ref: `#/channels/${CHANNEL}/messages/${id}` }],
        reply: { channel: { $ref: `#/channels/${CHANNEL}` }, messages: [{ $ref: `#/channels/${CHANNEL}/messages/${id}.ack` }] },
      };
    }
    for (const doc of SERVER_EVENTS) {
      const id = messageIdOf('server', doc.event);
      messages[id] = this.serverMessage(doc, schemas);
      operations[`send.${id.slice('server.'.length)}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${CHANNEL}` },
        summary: doc.summary,
        messages: [{ $ref: `#/channels/${CHANNEL}/messages/${id}` }],
      };
    }

    const channelMessages = Object.fromEntries(Object.keys(messages).map((id) => [id, { $ref: `#/components/messages/${id}` }]));
    return {
      asyncapi: ASYNCAPI_VERSION,
      info: { title: 'Relay chat server: Socket.IO protocol', version: '0.1.0', description: this.description() },
      defaultContentType: 'application/json',
      servers: { [SERVER]: this.server() },
      channels: {
        [CHANNEL]: {
          address: '/',
          title: 'Default namespace',
          description: 'Every event travels on the default namespace of the connection; each socket is in the room user:<its user id>.',
          servers: [{ $ref: `#/servers/${SERVER}` }],
          messages: channelMessages,
        },
      },
      operations,
      components: { schemas, messages, securitySchemes: SECURITY_SCHEMES },
    };
  }

  private clientMessage(doc: ClientEventDoc, handler: GatewayHandler | undefined, schemas: Record<string, JsonSchema>) {
    const message: Record<string, unknown> = { name: doc.event, title: doc.event, summary: doc.summary };
    if (!handler) {
      message.description = 'No gateway handler was found for this event.';
      return message;
    }
    const payload = handler.payload;
    if (!payload) {
      message.description = 'Emitted without a payload.';
      return message;
    }
    schemas[payload.name] = dtoSchema(payload);
    message.payload = doc.payloadOptional
      ? { description: 'May be omitted', oneOf: [schemaRef(payload.name), { type: 'null' }] }
      : schemaRef(payload.name);
    return message;
  }

  private ackMessage(doc: ClientEventDoc, schemas: Record<string, JsonSchema>) {
    const codes = [...doc.errors, ...COMMON_ERRORS];
    const success = {
      type: 'object',
      required: ['ok', 'data'],
      properties: { ok: { const: true }, data: this.shapeSchema(doc.reply, schemas) },
      additionalProperties: false,
    };
    const failure = {
      type: 'object',
      required: ['ok', 'error'],
      properties: { ok: { const: false }, error: { allOf: [schemaRef('ErrorBody'), { properties: { error: { enum: codes } } }] } },
      additionalProperties: false,
    };
    return {
      title: `${doc.event} ack`,
      summary: `The acknowledgement of ${doc.event}: { ok: true, data } or { ok: false, error }.`,
      description: `Possible error names: ${codes.join(', ')}.`,
      payload: { oneOf: [success, failure] },
    };
  }

  private serverMessage(doc: ServerEventDoc, schemas: Record<string, JsonSchema>) {
    return { name: doc.event, title: doc.event, summary: doc.summary, payload: this.shapeSchema(doc.payload, schemas) };
  }

  private shapeSchema(shape: PayloadShape, schemas: Record<string, JsonSchema>): JsonSchema {
    return typeof shape === 'function' ? addViewSchemas(shape, schemas) : shape;
  }

  private server() {
    return {
      host: 'localhost',
      protocol: 'ws',
      pathname: '/ws',
      description:
        'Socket.IO 4 (Engine.IO protocol 4) over the WebSocket transport only. Connect with ' +
        'io(BASE_URL, { path: "/ws", transports: ["websocket"], auth: { token } }). The token may instead be sent ' +
        'as the token query parameter or as an Authorization: Bearer header. A missing, invalid or expired token ' +
        'fails the handshake with connect_error message UNAUTHORIZED before any event reaches the socket.',
      security: [{ $ref: '#/components/securitySchemes/queryToken' }, { $ref: '#/components/securitySchemes/bearerHeader' }],
      'x-handshake-auth': {
        type: 'object',
        required: ['token'],
        properties: { token: { type: 'string', description: 'The access token from POST /api/users/login' } },
      },
    };
  }

  private description(): string {
    const pingInterval = this.config.get('SOCKET_PING_INTERVAL_MS', { infer: true });
    const pingTimeout = this.config.get('SOCKET_PING_TIMEOUT_MS', { infer: true });
    const grace = this.config.get('PRESENCE_GRACE_MS', { infer: true });
    return [
      'Real-time events of the messaging server. Every client event is answered through its Socket.IO acknowledgement ' +
        'as { ok: true, data } or { ok: false, error }, where error has the shape of REST error bodies (ErrorBody).',
      `Event payloads over ${MAX_EVENT_BYTES} bytes of JSON get PAYLOAD_TOO_LARGE; frames over twice that close the connection.`,
      `Heartbeat: the server pings every ${pingInterval} ms and closes a connection whose pong is ${pingTimeout} ms late. ` +
        `A user goes offline ${grace} ms after the last socket closes, so a client that vanishes without closing is ` +
        `offline within ${pingInterval + pingTimeout + grace} ms.`,
      'Presence: online while any socket is active, away while every socket reported away or sent no event for ' +
        `${this.config.get('PRESENCE_IDLE_MS', { infer: true })} ms, offline after the grace period.`,
      `Typing: ${this.config.get('TYPING_RATE_LIMIT', { infer: true })} events per ` +
        `${this.config.get('TYPING_RATE_WINDOW_MS', { infer: true })} ms per user; a start expires after ` +
        `${this.config.get('TYPING_TTL_MS', { infer: true })} ms. Messages: ` +
        `${this.config.get('MESSAGE_RATE_LIMIT', { infer: true })} per ${this.config.get('MESSAGE_RATE_WINDOW_MS', { infer: true })} ms ` +
        'per user, shared with POST /api/messages/send.',
    ].join('\n\n');
  }
}

const SECURITY_SCHEMES = {
  queryToken: {
    type: 'httpApiKey',
    in: 'query',
    name: 'token',
    description: 'The access token as the token query parameter of the handshake request.',
  },
  bearerHeader: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Authorization: Bearer <access token> on the handshake request (Node.js clients: extraHeaders).',
  },
};
