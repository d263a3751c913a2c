import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Environment } from '../config/environment';
import { RealtimeEmitter } from '../realtime/realtime.emitter';
import { PresenceStatus, UserStatusView } from '../users/dto/user.view';
import { PresenceRepository } from './presence.repository';
import { PresenceTracker, ReportedStatus } from './presence.tracker';
import { FixedWindowRateLimiter } from './rate-limiter';

/** `presence:set` reports per user: generous for focus and blur changes, low enough to stop flooding contacts. */
export const PRESENCE_REPORT_LIMIT = 30;
export const PRESENCE_REPORT_WINDOW_MS = 60_000;

/**
 * Presence of users across their devices, kept in this process. Each status change is
 * announced once as a `presence` event to the users who share a conversation with that user.
 * A change to offline stores lastSeen in users.last_seen_at before it is announced, and the
 * announcements of one user leave in the order of the changes.
 *
 * NOTE: with REDIS_URL set, each instance counts only its own sockets, so instances disagree
 * on the status of a user connected elsewhere until presence state moves to Redis.
 */
@Injectable()
export class PresenceService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly tracker: PresenceTracker;
  private readonly reports = new FixedWindowRateLimiter(PRESENCE_REPORT_LIMIT, PRESENCE_REPORT_WINDOW_MS, 'presence reports');
  /** lastSeen of users who went offline and whose row is not updated yet. */
  private readonly unsavedLastSeen = new Map<string, Date>();
  private readonly announcements = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly repository: PresenceRepository,
    private readonly realtime: RealtimeEmitter,
    config: ConfigService<Environment, true>,
  ) {
    const timings = {
      idleMs: config.get('PRESENCE_IDLE_MS', { infer: true }),
      graceMs: config.get('PRESENCE_GRACE_MS', { infer: true }),
    };
    this.tracker = new PresenceTracker(timings, (userId, status, lastSeenAt) => this.onTransition(userId, status, lastSeenAt));
  }

  connected(userId: string, socketId: string): void {
    if (this.stopping) return;
    this.tracker.connect(userId, socketId);
  }

  disconnected(socketId: string): void {
    this.tracker.disconnect(socketId);
  }

  /** Record that a socket sent an event, which ends its idle state. */
  activity(socketId: string): void {
    this.tracker.touch(socketId);
  }

  /** Store the status a client reports for one of its sockets and return the user's resulting status. */
  async report(userId: string, socketId: string, status: ReportedStatus): Promise<UserStatusView> {
    this.reports.consume(userId);
    this.tracker.report(socketId, status);
    return this.statusOf(userId, await this.repository.lastSeenOf(userId));
  }

  /** Return the user's status in this process. `storedLastSeen` is users.last_seen_at as the caller read it. */
  statusOf(userId: string, storedLastSeen: Date | null): UserStatusView {
    const lastSeen = this.unsavedLastSeen.get(userId) ?? storedLastSeen;
    return { userID: userId, status: this.tracker.statusOf(userId), lastSeen: lastSeen ? new Date(lastSeen).toISOString() : null };
  }

  /**
   * Store lastSeen for every user still tracked, because in-memory presence ends with the
   * process and the next start begins with everyone offline.
   *
   * NOTE: after a crash this never runs, so users connected at the time keep the lastSeen of
   * their previous session.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const userIds = this.tracker.trackedUserIds();
    this.tracker.clear();
    await Promise.all(this.announcements.values());

    try {
      for (const [userId, lastSeenAt] of this.unsavedLastSeen) await this.repository.storeLastSeen([userId], lastSeenAt);
      this.unsavedLastSeen.clear();
      await this.repository.storeLastSeen(userIds, new Date());
    } catch (error) {
      this.logger.error({ err: error, users: userIds.length }, 'Failed to store lastSeen at shutdown');
    }
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
      const view = this.statusOf(userId, audience.lastSeenAt);
      this.realtime.toUsers(audience.contactIds, 'presence', { ...view, status });
    } catch (error) {
      this.logger.warn({ err: error, userId, status }, 'Failed to announce presence change');
    }
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
