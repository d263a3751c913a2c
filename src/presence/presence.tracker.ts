import { PresenceStatus } from '../users/dto/user.view';
import { PresenceBackend, PresenceTimings, ReportedStatus, TransitionListener } from './presence.backend';

interface SocketState {
  userId: string;
  reported: ReportedStatus;
  idle: boolean;
  idleTimer: NodeJS.Timeout;
}

interface UserState {
  sockets: Set<string>;
  status: PresenceStatus;
  /** Set while the user has no socket and the grace period runs. */
  graceTimer?: NodeJS.Timeout;
  disconnectedAt?: Date;
}

/**
 * In-memory presence of the users connected to this process. A user is online while any
 * socket is active (reported online and not idle), away while every socket is reported away
 * or idle, and offline once the last socket has been gone for the grace period. Every
 * change of a user's status is passed to the listener exactly once, synchronously.
 */
export class PresenceTracker implements PresenceBackend {
  private readonly sockets = new Map<string, SocketState>();
  private readonly users = new Map<string, UserState>();

  constructor(
    private readonly timings: PresenceTimings,
    private readonly onTransition: TransitionListener,
  ) {}

  statusOf(userId: string): PresenceStatus {
    return this.users.get(userId)?.status ?? 'offline';
  }

  statuses(userIds: string[]): Promise<Map<string, PresenceStatus>> {
    const statuses = new Map<string, PresenceStatus>();
    for (const userId of userIds) {
      const status = this.statusOf(userId);
      if (status !== 'offline') statuses.set(userId, status);
    }
    return Promise.resolve(statuses);
  }

  /** Forget all state and return the users that were online or away, the ones in their grace period included. */
  stop(): string[] {
    const userIds = [...this.users.keys()];
    this.clear();
    return userIds;
  }

  connect(userId: string, socketId: string): void {
    const idleTimer = setTimeout(() => this.markIdle(socketId), this.timings.idleMs).unref();
    this.sockets.set(socketId, { userId, reported: 'online', idle: false, idleTimer });

    const user = this.users.get(userId) ?? { sockets: new Set<string>(), status: 'offline' as PresenceStatus };
    clearTimeout(user.graceTimer);
    user.graceTimer = undefined;
    user.disconnectedAt = undefined;
    user.sockets.add(socketId);
    this.users.set(userId, user);
    this.update(userId, user);
  }

  disconnect(socketId: string): void {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    clearTimeout(socket.idleTimer);
    this.sockets.delete(socketId);

    const user = this.users.get(socket.userId)!;
    user.sockets.delete(socketId);
    if (user.sockets.size > 0) {
      this.update(socket.userId, user);
      return;
    }
    user.disconnectedAt = new Date();
    user.graceTimer = setTimeout(() => this.expireGrace(socket.userId), this.timings.graceMs).unref();
  }

  /** Record that the socket sent an event: it is no longer idle. */
  touch(socketId: string): void {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    socket.idleTimer.refresh();
    if (!socket.idle) return;
    socket.idle = false;
    this.update(socket.userId, this.users.get(socket.userId)!);
  }

  /** Store the status a client reported for one socket. It stays in effect until the client reports again. */
  report(socketId: string, status: ReportedStatus): Promise<void> {
    const socket = this.sockets.get(socketId);
    if (!socket) return Promise.resolve();
    socket.reported = status;
    this.update(socket.userId, this.users.get(socket.userId)!);
    return Promise.resolve();
  }

  close(): void {
    this.clear();
  }

  /** Cancel every timer and forget all state, without reporting transitions. */
  clear(): void {
    for (const socket of this.sockets.values()) clearTimeout(socket.idleTimer);
    for (const user of this.users.values()) clearTimeout(user.graceTimer);
    this.sockets.clear();
    this.users.clear();
  }

  private markIdle(socketId: string): void {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    socket.idle = true;
    this.update(socket.userId, this.users.get(socket.userId)!);
  }

  private expireGrace(userId: string): void {
    const user = this.users.get(userId);
    if (!user || user.sockets.size > 0) return;
    this.users.delete(userId);
    this.onTransition(userId, 'offline', user.disconnectedAt);
  }

  private update(userId: string, user: UserState): void {
    const status = this.derive(user);
    if (status === user.status) return;
    user.status = status;
    this.onTransition(userId, status);
  }

  private derive(user: UserState): PresenceStatus {
    for (const socketId of user.sockets) {
      const socket = this.sockets.get(socketId)!;
      if (socket.reported === 'online' && !socket.idle) return 'online';
    }
    return 'away';
  }
}
