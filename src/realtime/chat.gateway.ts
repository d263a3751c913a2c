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
import { MessageView } from '../messages/dto/message.view';
import { ReceiptDto } from '../messages/dto/receipt.dto';
import { DeliveredView, ReadView } from '../messages/dto/receipt.view';
import { SyncQueryDto, SyncView } from '../messages/dto/sync.dto';
import { SendMessageDto } from '../messages/dto/send-message.dto';
import { MessagesService } from '../messages/messages.service';
import { ReceiptsService } from '../messages/receipts.service';
import { SyncService } from '../messages/sync.service';
import { SetPresenceDto } from '../presence/dto/set-presence.dto';
import { PresenceService } from '../presence/presence.service';
import { UserStatusView } from '../users/dto/user.view';
import { AckExceptionFilter, AckInterceptor } from './ack';
import { TypingDto, TypingEventView } from './dto/typing.dto';
import { groupRoomsMiddleware, groupRoomsOf } from './group-rooms.middleware';
import { payloadSizeMiddleware, MAX_EVENT_BYTES } from './payload-size.middleware';
import { RealtimeEmitter, userRoom } from './realtime.emitter';
import { socketAuthMiddleware } from './socket-auth.middleware';
import { TypingService } from './typing.service';

/** Frames above this close the connection; events between MAX_EVENT_BYTES and this get a PAYLOAD_TOO_LARGE ack. */
const MAX_FRAME_BYTES = 2 * MAX_EVENT_BYTES;

export const principalOfSocket = (socket: Socket): Principal => socket.data.principal as Principal;

@WebSocketGateway({
  path: '/ws',
  transports: ['websocket'],
  maxHttpBufferSize: MAX_FRAME_BYTES,
  cors: { origin: true },
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
    private readonly metrics: MetricsService,
  ) {}

  afterInit(server: Server): void {
    server.use(socketAuthMiddleware(this.tokens));
    server.use(groupRoomsMiddleware(this.groups));
    this.realtime.attach(server);
    server.engine.opts.pingInterval = this.config.get('SOCKET_PING_INTERVAL_MS', { infer: true });
    server.engine.opts.pingTimeout = this.config.get('SOCKET_PING_TIMEOUT_MS', { infer: true });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const { userId } = principalOfSocket(socket);
    socket.use(payloadSizeMiddleware(socket));
    // Presence is recorded before the first await, so a disconnect during the join cannot precede it.
    this.presence.connected(userId, socket.id);
    this.metrics.connectedSockets.inc();
    socket.onAny(() => this.presence.activity(socket.id));
    await socket.join([userRoom(userId), ...groupRoomsOf(socket)]);
    this.logger.debug({ userId, socketId: socket.id }, 'Socket connected');
  }

  handleDisconnect(socket: Socket): void {
    this.presence.disconnected(socket.id);
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
    return this.typing.update(principalOfSocket(socket).userId, dto);
  }

  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}
