import { Logger, UseFilters, UseInterceptors, UsePipes } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { Principal, TokenService } from '../auth/token.service';
import { MessageSend } from '../common/throttling/throttle.decorators';
import { MetricsService } from '../metrics/metrics.service';
import { SendLatencyInterceptor } from '../metrics/send-latency.interceptor';
import { createValidationPipe } from '../common/validation/validation.pipe';
import { Environment } from '../config/environment';
import { GroupsService } from '../groups/groups.service';
import { ShutdownState } from '../health/shutdown.state';
import { MessageView } from '../messages/dto/message.view';
import { ReceiptDto } from '../messages/dto/receipt.dto';
import { DeliveredView, ReadView } from '../messages/dto/receipt.view';
import { SyncQueryDto, SyncView } from '../messages/dto/sync.dto';
import { SendMessageDto } from '../messages/dto/send-message.dto';
import { MessageBatcher } from '../messages/message-batcher';
import { MessagesService } from '../messages/messages.service';
import { ReceiptsService } from '../messages/receipts.service';
import { SyncService } from '../messages/sync.service';
import { SetPresenceDto } from '../presence/dto/set-presence.dto';
import { PresenceService } from '../presence/presence.service';
import { UserStatusView } from '../users/dto/user.view';
import { AckExceptionFilter, AckInterceptor } from './ack';
import { RenewDto, RenewView } from './dto/renew.dto';
import { TypingDto, TypingEventView } from './dto/typing.dto';
import { eventRateLimitMiddleware } from './event-rate-limit.middleware';
import { groupRoomsMiddleware, groupRoomsOf } from './group-rooms.middleware';
import { handshakeRateLimit } from './handshake-rate-limit';
import { payloadSizeMiddleware, MAX_EVENT_BYTES } from './payload-size.middleware';
import { RealtimeEmitter, userRoom } from './realtime.emitter';
import { originAllowRequest } from './origin.allow-request';
import { closeTransports, shutdownMiddleware } from './socket-drain';
import { socketAuthMiddleware } from './socket-auth.middleware';
import { sendBackpressureMiddleware } from './send-backpressure.middleware';
import { SocketSessionsService } from './socket-sessions.service';
import { TypingService } from './typing.service';
import { unknownEventMiddleware } from './unknown-event.middleware';
import { handlersOf } from './asyncapi/gateway-handlers';

/** Frames above this close the connection; events between MAX_EVENT_BYTES and this get a PAYLOAD_TOO_LARGE ack. */
const MAX_FRAME_BYTES = 2 * MAX_EVENT_BYTES;

export const principalOfSocket = (socket: Socket): Principal => socket.data.principal as Principal;

@WebSocketGateway({
  path: '/ws',
  transports: ['websocket'],
  maxHttpBufferSize: MAX_FRAME_BYTES,
  // No CORS options: the WebSocket transport does not use CORS, so afterInit checks the Origin in allowRequest.
  // Defaults of SOCKET_PING_INTERVAL_MS and SOCKET_PING_TIMEOUT_MS; afterInit applies the configured values.
  pingInterval: 10_000,
  pingTimeout: 5_000,
})
@UseFilters(AckExceptionFilter)
@UseInterceptors(AckInterceptor)
// The global guards (JwtAuthGuard, UserThrottlerGuard) apply to these handlers too: JwtAuthGuard
// passes socket events through because the handshake already authenticated them.
@UsePipes(createValidationPipe())
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  private handledEvents: ReadonlySet<string> = new Set();

  constructor(
    private readonly tokens: TokenService,
    private readonly realtime: RealtimeEmitter,
    private readonly presence: PresenceService,
    private readonly messages: MessagesService,
    private readonly groups: GroupsService,
    private readonly receipts: ReceiptsService,
    private readonly sync: SyncService,
    private readonly typing: TypingService,
    private readonly config: ConfigService<Environment, true>,
    private readonly socketSessions: SocketSessionsService,
    private readonly shutdown: ShutdownState,
    private readonly metrics: MetricsService,
    private readonly batcher: MessageBatcher,
  ) {}

  afterInit(server: Server): void {
    originAllowRequest(server, this.config);
    server.use(shutdownMiddleware(this.shutdown));
    server.use(socketAuthMiddleware(this.tokens));
    server.use(groupRoomsMiddleware(this.groups));
    this.realtime.attach(server);
    this.shutdown.onDrained(() => closeTransports(server));
    // Read here rather than in a static field: the handler decorators run after static initialisers.
    this.handledEvents = new Set(handlersOf(ChatGateway).map((handler) => handler.event));
    server.engine.opts.pingInterval = this.config.get('SOCKET_PING_INTERVAL_MS', { infer: true });
    server.engine.opts.pingTimeout = this.config.get('SOCKET_PING_TIMEOUT_MS', { infer: true });
    server.connectTimeout(this.config.get('SOCKET_CONNECT_TIMEOUT_MS', { infer: true }));
    server.engine.use(
      handshakeRateLimit(
        this.config.get('SOCKET_HANDSHAKE_RATE_LIMIT', { infer: true }),
        this.config.get('SOCKET_HANDSHAKE_RATE_WINDOW_MS', { infer: true }),
      ),
    );
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { userId } = principalOfSocket(socket);
    socket.use(sendBackpressureMiddleware(socket, this.batcher, () => this.metrics.sendsShed.inc()));
    socket.use(
      eventRateLimitMiddleware(
        socket,
        this.config.get('SOCKET_EVENT_RATE_LIMIT', { infer: true }),
        this.config.get('SOCKET_EVENT_RATE_WINDOW_MS', { infer: true }),
      ),
    );
    socket.use(unknownEventMiddleware(socket, this.handledEvents));
    socket.use(payloadSizeMiddleware(socket));
    // Presence is recorded before the first await, so a disconnect during the join cannot precede it.
    this.presence.connected(userId, socket.id);
    this.metrics.connectedSockets.inc();
    socket.onAny(() => this.presence.activity(socket.id));
    const sessionRoom = this.socketSessions.track(socket);
    await socket.join([userRoom(userId), sessionRoom, ...groupRoomsOf(socket)]);
    this.logger.debug({ userId, socketId: socket.id }, 'Socket connected');
  }

  handleDisconnect(socket: Socket): void {
    this.presence.disconnected(socket.id);
    this.socketSessions.forget(socket);
    this.typing.socketClosed(socket.id);
    this.metrics.connectedSockets.dec();
  }

  @SubscribeMessage('message:send')
  @MessageSend()
  @UseInterceptors(SendLatencyInterceptor)
  async send(@ConnectedSocket() socket: Socket, @MessageBody() dto: SendMessageDto): Promise<MessageView> {
    const { message } = await this.messages.send(principalOfSocket(socket).userId, dto);
    return message;
  }

  @SubscribeMessage('message:delivered')
  delivered(@ConnectedSocket() socket: Socket, @MessageBody() dto: ReceiptDto): Promise<DeliveredView> {
    return this.receipts.markDelivered(principalOfSocket(socket).userId, dto);
  }

  @SubscribeMessage('message:read')
  read(@ConnectedSocket() socket: Socket, @MessageBody() dto: ReceiptDto): Promise<ReadView> {
    return this.receipts.markRead(principalOfSocket(socket).userId, dto);
  }

  /** Catch up as GET /api/messages/sync does; the payload may be omitted. */
  @SubscribeMessage('sync')
  pending(@ConnectedSocket() socket: Socket, @MessageBody() dto?: SyncQueryDto): Promise<SyncView> {
    return this.sync.pending(principalOfSocket(socket).userId, dto?.limit);
  }

  @SubscribeMessage('presence:set')
  setPresence(@ConnectedSocket() socket: Socket, @MessageBody() dto: SetPresenceDto): Promise<UserStatusView> {
    return this.presence.report(principalOfSocket(socket).userId, socket.id, dto.status);
  }

  @SubscribeMessage('typing')
  setTyping(@ConnectedSocket() socket: Socket, @MessageBody() dto: TypingDto): Promise<TypingEventView> {
    return this.typing.update(principalOfSocket(socket).userId, socket.id, dto);
  }

  @SubscribeMessage('auth:renew')
  renew(@ConnectedSocket() socket: Socket, @MessageBody() dto: RenewDto): Promise<RenewView> {
    return this.socketSessions.renew(socket, dto);
  }

  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}
