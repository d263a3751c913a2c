import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { Principal, TokenService } from '../auth/token.service';
import { AppError } from '../common/errors/app-error';
import { ErrorBody } from '../common/errors/error-code';
import { RenewDto, RenewView } from './dto/renew.dto';
import { sessionRoom } from './realtime.emitter';

/** Server event sent just before a socket is disconnected because its access token expired. */
export const SESSION_EXPIRED_EVENT = 'session:expired';

/**
 * Ties each socket to its session and to the lifetime of its access token. A socket joins
 * the room of its session, so logging out or revoking the session disconnects it on every
 * instance. When its access token expires, the socket receives `session:expired` and is
 * disconnected, unless the client sent a fresh token with `auth:renew` first.
 */
@Injectable()
export class SocketSessionsService implements OnApplicationShutdown {
  private readonly logger = new Logger(SocketSessionsService.name);
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly tokens: TokenService) {}

  onApplicationShutdown(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Start the socket's expiry timer and return the session room it must join. */
  track(socket: Socket): string {
    const principal = socket.data.principal as Principal;
    this.scheduleExpiry(socket, principal.expiresAt);
    return sessionRoom(principal.sessionId);
  }

  forget(socket: Socket): void {
    clearTimeout(this.timers.get(socket.id));
    this.timers.delete(socket.id);
  }

  /** Replace the socket's access token with a fresh one of the same user, moving it to the new session's room if that changed. */
  async renew(socket: Socket, dto: RenewDto): Promise<RenewView> {
    const current = socket.data.principal as Principal;
    const renewed = await this.tokens.authenticate(dto.accessToken);
    // A socket that closed during the lookup must not get a new timer, which would outlive it.
    if (socket.disconnected) return { expiresAt: new Date(current.expiresAt).toISOString() };
    if (renewed.userId !== current.userId) {
      throw new AppError('FORBIDDEN', 'The access token belongs to another user; connect a new socket for that user');
    }

    if (renewed.sessionId !== current.sessionId) {
      await socket.leave(sessionRoom(current.sessionId));
      await socket.join(sessionRoom(renewed.sessionId));
    }
    socket.data.principal = renewed;
    this.scheduleExpiry(socket, renewed.expiresAt);
    return { expiresAt: new Date(renewed.expiresAt).toISOString() };
  }

  /** Schedule the expiry; the delay fits a Node timer (at most 2^31 - 1 ms) because JWT_ACCESS_TTL_SECONDS is at most one day. */
  private scheduleExpiry(socket: Socket, expiresAt: number): void {
    this.forget(socket);
    const delay = Math.max(expiresAt - Date.now(), 0);
    this.timers.set(socket.id, setTimeout(() => this.expire(socket), delay));
  }

  private expire(socket: Socket): void {
    this.timers.delete(socket.id);
    const { userId, sessionId } = socket.data.principal as Principal;
    const body: ErrorBody = {
      code: 401,
      error: 'UNAUTHORIZED',
      message: 'The access token of this socket expired; send auth:renew with a fresh token before it expires, or reconnect with one',
    };
    socket.emit(SESSION_EXPIRED_EVENT, body);
    socket.disconnect(true);
    this.logger.debug({ userId, sessionId, socketId: socket.id }, 'Socket disconnected: access token expired');
  }
}
