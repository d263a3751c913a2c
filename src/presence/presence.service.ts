import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PresenceStatus, UserStatusView } from '../users/dto/user.view';

/**
 * Tracks which users have connected sockets in this process. A user is online while at
 * least one socket is connected; when the last one closes, lastSeen is stored.
 */
@Injectable()
export class PresenceService {
  private readonly logger = new Logger(PresenceService.name);
  private readonly sockets = new Map<string, Set<string>>();
  private readonly lastSeen = new Map<string, Date>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Record a new socket; returns true when it is the user's first. */
  connected(userId: string, socketId: string): boolean {
    const set = this.sockets.get(userId) ?? new Set<string>();
    set.add(socketId);
    this.sockets.set(userId, set);
    return set.size === 1;
  }

  /** Forget a socket; returns true when it was the user's last, after storing lastSeen. */
  async disconnected(userId: string, socketId: string): Promise<boolean> {
    const set = this.sockets.get(userId);
    if (!set?.delete(socketId) || set.size > 0) return false;

    this.sockets.delete(userId);
    const now = new Date();
    this.lastSeen.set(userId, now);
    try {
      await this.dataSource.query('UPDATE users SET last_seen_at = $2 WHERE id = $1', [userId, now]);
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'Failed to store lastSeen');
    }
    return true;
  }

  statusOf(userId: string, storedLastSeen: Date | null): UserStatusView {
    const status: PresenceStatus = this.sockets.has(userId) ? 'online' : 'offline';
    const lastSeen = this.lastSeen.get(userId) ?? storedLastSeen;
    return { userID: userId, status, lastSeen: lastSeen ? new Date(lastSeen).toISOString() : null };
  }
}
