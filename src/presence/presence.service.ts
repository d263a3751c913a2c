import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Environment } from '../config/environment';
import { RealtimeEmitter } from '../realtime/realtime.emitter';
import { RedisService } from '../redis/redis.service';
import { PresenceStatus, UserStatusView } from '../users/dto/user.view';
import { PresenceBackend, ReportedStatus } from './presence.backend';
import { PresenceRepository } from './presence.repository';
import { PresenceTracker } from './presence.tracker';
import { FixedWindowRateLimiter } from './rate-limiter';
import { RedisPresence } from './redis-presence';

/** `presence:set` reports per user: generous for focus and blur changes, low enough to stop flooding contacts. */
export const PRESENCE_REPORT_LIMIT = 30;
export const PRESENCE_REPORT_WINDOW_MS = 60_000;

/** Statuses of several users read at once, for building list views. */
export interface PresenceLookup {
  statusOf(userId: string, storedLastSeen: Date | null): UserStatusView;
}

/**
 * Presence of users across their devices: in this process without REDIS_URL, in Redis and
 * shared by every instance with it. Each status change is announced once as a `presence`
 * event to the users who share a conversation with that user. A change to offline stores
 * lastSeen in users.last_seen_at before it is announced, and the announcements of one user
 * that one instance makes leave in the order of the changes.
 *
 * NOTE: with REDIS_URL, two changes of one user claimed by different instances can reach a
 * contact in either order when they happen within milliseconds of each other.
 */
@Injectable()
export class PresenceService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly backend: PresenceBackend;
  private readonly reports = new FixedWindowRateLimiter(PRESENCE_REPORT_LIMIT, PRESENCE_REPORT_WINDOW_MS, 'presence reports');
  /** lastSeen of users who went offline and whose row is not updated yet. */
  private readonly unsavedLastSeen = new Map<string, Date>();
  private readonly announcements = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly repository: PresenceRepository,
    private readonly realtime: RealtimeEmitter,
    redis: RedisService,
    config: ConfigService<Environment, true>,
  ) {
    const timings = {
      idleMs: config.get('PRESENCE_IDLE_MS', { infer: true }),
      graceMs: config.get('PRESENCE_GRACE_MS', { infer: true }),
    };
    const listener = (userId: string, status: PresenceStatus, lastSeenAt?: Date) => this.onTransition(userId, status, lastSeenAt);
    if (!redis.command) {
      this.backend = new PresenceTracker(timings, listener);
      return;
    }

    const options = {
      ...timings,
      ttlMs: config.get('PRESENCE_TTL_MS', { infer: true }),
      heartbeatMs: config.get('PRESENCE_HEARTBEAT_MS', { infer: true }),
      keyPrefix: redis.keyPrefix,
    };
    this.backend = new RedisPresence(redis.command, options, listener);
  }

  connected(userId: string, socketId: string): void {
    if (this.stopping) return;
    this.backend.connect(userId, socketId);
  }

  disconnected(socketId: string): void {
    this.backend.disconnect(socketId);
  }

  /** Record that a socket sent an event, which ends its idle state. */
  activity(socketId: string): void {
    this.backend.touch(socketId);
  }

  /** Store the status a client reports for one of its sockets and return the user's resulting status. */
  async report(userId: string, socketId: string, status: ReportedStatus): Promise<UserStatusView> {
    this.reports.consume(userId);
    await this.backend.report(socketId, status);
    return this.statusOf(userId, await this.repository.lastSeenOf(userId));
  }

  /** Return the user's status. `storedLastSeen` is users.last_seen_at as the caller read it. */
  async statusOf(userId: string, storedLastSeen: Date | null): Promise<UserStatusView> {
    return (await this.lookup([userId])).statusOf(userId, storedLastSeen);
  }

  /** Read the statuses of several users in one round trip. */
  async lookup(userIds: string[]): Promise<PresenceLookup> {
    const statuses = await this.backend.statuses([...new Set(userIds)]);
    return {
      statusOf: (userId, storedLastSeen) => {
        const lastSeen = this.lastSeenOf(userId, storedLastSeen);
        return { userID: userId, status: statuses.get(userId) ?? 'offline', lastSeen: lastSeen ? lastSeen.toISOString() : null };
      },
    };
  }

  /**
   * Without Redis, store lastSeen for every user still tracked, because in-memory presence
   * ends with the process and the next start begins with everyone offline. With Redis the
   * entries of this instance's sockets are removed as the sockets close, and a later sweep
   * announces the users that go offline.
   *
   * NOTE: after a crash this never runs. Without Redis, users connected at the time keep the
   * lastSeen of their previous session. With Redis, their entries expire, and another
   * instance stores the time of the last heartbeat as their lastSeen.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const userIds = this.backend.stop();
    await Promise.all(this.announcements.values());

    try {
      for (const [userId, lastSeenAt] of this.unsavedLastSeen) await this.repository.storeLastSeen([userId], lastSeenAt);
      this.unsavedLastSeen.clear();
      await this.repository.storeLastSeen(userIds, new Date());
    } catch (error) {
      this.logger.error({ err: error, users: userIds.length }, 'Failed to store lastSeen at shutdown');
    }
  }

  onApplicationShutdown(): void {
    this.backend.close();
  }

  private onTransition(userId: string, status: PresenceStatus, lastSeenAt?: Date): void {
    if (lastSeenAt) this.unsavedLastSeen.set(userId, lastSeenAt);
    this.logger.debug({ userId, status }, 'Presence changed');

    const previous = this.announcements.get(userId) ?? Promise.resolve();
    const next = previous.then(() => this.announce(userId, status, lastSeenAt));
    this.announcements.set(userId, next);
    void next.finally(() => {
      if (this.announcements.get(userId) === next) this.announcements.delete(userId);
    });
  }

  /** Store lastSeen when going offline, then send the event to the user's contacts. Never rejects. */
  private async announce(userId: string, status: PresenceStatus, lastSeenAt?: Date): Promise<void> {
    if (lastSeenAt) await this.saveLastSeen(userId, lastSeenAt);
    try {
      const audience = await this.repository.audienceOf(userId);
      const lastSeen = this.lastSeenOf(userId, audience.lastSeenAt);
      const view: UserStatusView = { userID: userId, status, lastSeen: lastSeen ? lastSeen.toISOString() : null };
      this.realtime.toUsers(audience.contactIds, 'presence', view);
    } catch (error) {
      this.logger.warn({ err: error, userId, status }, 'Failed to announce presence change');
    }
  }

  private lastSeenOf(userId: string, storedLastSeen: Date | null): Date | null {
    const lastSeen = this.unsavedLastSeen.get(userId) ?? storedLastSeen;
    return lastSeen ? new Date(lastSeen) : null;
  }

  /** Update users.last_seen_at; on failure the value stays in memory, and shutdown retries it. */
  private async saveLastSeen(userId: string, lastSeenAt: Date): Promise<void> {
    try {
      await this.repository.storeLastSeen([userId], lastSeenAt);
      if (this.unsavedLastSeen.get(userId) === lastSeenAt) this.unsavedLastSeen.delete(userId);
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'Failed to store lastSeen');
    }
  }
}
