import { Injectable, Logger } from '@nestjs/common';
import type { Server } from 'socket.io';
import { MetricsService } from '../metrics/metrics.service';

export const userRoom = (userId: string) => `user:${userId}`;
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/**
 * Pushes server events to sockets. Services call it only after their transaction commits.
 * Until the gateway attaches the Socket.IO server, pushes are dropped, which is safe because
 * live pushes are best effort and clients catch up from the database.
 */
@Injectable()
export class RealtimeEmitter {
  private readonly logger = new Logger(RealtimeEmitter.name);
  private server?: Server;

  constructor(private readonly metrics: MetricsService) {}

  attach(server: Server): void {
    this.server = server;
  }

  toUsers(userIds: string[], event: string, payload: unknown): void {
    if (!this.server || userIds.length === 0) return;
    const rooms = userIds.map(userRoom);
    // User rooms are disjoint, so the sum of their sizes is the number of recipient sockets.
    this.recordFanOut(
      event,
      rooms.reduce((sockets, room) => sockets + this.localRoomSize(room), 0),
    );
    this.server.to(rooms).emit(event, payload);
  }

  toConversation(conversationId: string, event: string, payload: unknown, exceptUserId?: string): void {
    if (!this.server) return;
    const room = conversationRoom(conversationId);
    // Every member socket joins the conversation room on connect, so the excluded user's sockets are counted in it.
    this.recordFanOut(event, this.localRoomSize(room) - (exceptUserId ? this.localRoomSize(userRoom(exceptUserId)) : 0));
    const target = this.server.to(room);
    (exceptUserId ? target.except(userRoom(exceptUserId)) : target).emit(event, payload);
  }

  /** Add or remove every socket of a user to or from a room, on every instance behind the adapter. */
  joinRoom(userId: string, room: string): void {
    this.server?.in(userRoom(userId)).socketsJoin(room);
  }

  leaveRoom(userId: string, room: string): void {
    this.server?.in(userRoom(userId)).socketsLeave(room);
  }

  disconnectUser(userId: string): void {
    this.logger.log({ userId }, 'Disconnecting every socket of user');
    this.server?.in(userRoom(userId)).disconnectSockets(true);
  }

  /**
   * Close every socket of a session, on every instance behind the adapter.
   * NOTE: while Redis is down the request reaches only this instance, so remote sockets stay open until their token expires.
   */
  disconnectSession(sessionId: string): void {
    this.logger.log({ sessionId }, 'Disconnecting every socket of session');
    this.server?.in(sessionRoom(sessionId)).disconnectSockets(true);
  }

  /** Sockets in a room on this instance only; with the Redis adapter other instances count their own. */
  private localRoomSize(room: string): number {
    return this.server?.of('/').adapter.rooms.get(room)?.size ?? 0;
  }

  private recordFanOut(event: string, sockets: number): void {
    this.metrics.deliveryFanOut.observe({ event }, Math.max(0, sockets));
  }
}
