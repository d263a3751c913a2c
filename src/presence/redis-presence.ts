import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { PresenceStatus } from '../users/dto/user.view';
import { PresenceBackend, PresenceTimings, ReportedStatus, TransitionListener } from './presence.backend';
import { REMOVE_SOCKETS, SWEEP, UPSERT_SOCKETS } from './redis-presence.scripts';

export interface RedisPresenceOptions extends PresenceTimings {
  /** Lifetime of a socket's entry, which the heartbeat renews. */
  ttlMs: number;
  /** Interval of the heartbeat that renews this instance's entries and sweeps expired ones. */
  heartbeatMs: number;
  keyPrefix: string;
}

interface LocalSocket {
  userId: string;
  reported: ReportedStatus;
  idle: boolean;
  idleTimer: NodeJS.Timeout;
}

/** ioredis methods added by defineCommand for the scripts. */
interface PresenceCommands {
  presenceUpsert(...args: (string | number)[]): Promise<string[]>;
  presenceRemove(...args: (string | number)[]): Promise<string[]>;
  presenceSweep(...args: (string | number)[]): Promise<string[]>;
}

/** Sockets per script call, so one heartbeat of a busy instance does not block Redis for long. */
const BATCH = 500;
/** Maximum sweep rounds per heartbeat. Each round claims up to BATCH expired sockets and BATCH ended grace periods. */
const MAX_SWEEP_ROUNDS = 10;

/**
 * Presence shared by every instance through Redis. Each socket has an entry with a TTL that
 * this instance's heartbeat renews every heartbeatMs, and every instance sweeps expired
 * entries and ended grace periods on the same heartbeat. A script claims each change of a
 * user's status atomically, so exactly one instance passes it to the listener. The sockets of
 * an instance killed without shutdown expire after ttlMs, so their users go offline within
 * max(ttlMs, graceMs) + heartbeatMs.
 *
 * While Redis is unreachable, statuses come from this instance's own sockets, changes are not
 * announced, and the heartbeat writes the local state back once Redis is reachable again. Sweeps
 * resume ttlMs after the last failure.
 */
export class RedisPresence implements PresenceBackend {
  private readonly logger = new Logger(RedisPresence.name);
  private readonly sockets = new Map<string, LocalSocket>();
  /**
   * Sockets that closed while Redis was unreachable, by socket id, with their user id.
   *
   * NOTE: if Redis restarts without its data, removing these later finds no status, so their
   * users' contacts get no offline event and users.last_seen_at keeps its previous value.
   */
  private readonly unremoved = new Map<string, string>();
  private readonly commands: PresenceCommands;
  private readonly heartbeat: NodeJS.Timeout;
  private beating = false;
  private failures = 0;
  /** No sweep before this time (ms), so after an outage every instance renews its entries before any expire. */
  private sweepPausedUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisPresenceOptions,
    private readonly onTransition: TransitionListener,
  ) {
    redis.defineCommand('presenceUpsert', { numberOfKeys: 0, lua: UPSERT_SOCKETS });
    redis.defineCommand('presenceRemove', { numberOfKeys: 0, lua: REMOVE_SOCKETS });
    redis.defineCommand('presenceSweep', { numberOfKeys: 0, lua: SWEEP });
    this.commands = redis as unknown as PresenceCommands;
    this.heartbeat = setInterval(() => void this.beat(), options.heartbeatMs).unref();
  }

  connect(userId: string, socketId: string): void {
    const idleTimer = setTimeout(() => this.markIdle(socketId), this.options.idleMs).unref();
    const socket: LocalSocket = { userId, reported: 'online', idle: false, idleTimer };
    this.sockets.set(socketId, socket);
    void this.upsert([[userId, socketId, stateOf(socket)]]);
  }

  disconnect(socketId: string): void {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    clearTimeout(socket.idleTimer);
    this.sockets.delete(socketId);

    void this.remove([[socket.userId, socketId]]).then((removed) => {
      if (!removed) this.unremoved.set(socketId, socket.userId);
    });
  }

  touch(socketId: string): void {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    socket.idleTimer.refresh();
    if (!socket.idle) return;
    socket.idle = false;
    void this.upsert([[socket.userId, socketId, stateOf(socket)]]);
  }

  async report(socketId: string, status: ReportedStatus): Promise<void> {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    socket.reported = status;
    await this.upsert([[socket.userId, socketId, stateOf(socket)]]);
  }

  async statuses(userIds: string[]): Promise<Map<string, PresenceStatus>> {
    const statuses = new Map<string, PresenceStatus>();
    if (userIds.length === 0) return statuses;

    try {
      const pipeline = this.redis.pipeline();
      for (const userId of userIds) pipeline.hget(`${this.options.keyPrefix}presence:status:${userId}`, 'status');
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, status], i) => {
        if (error) throw error;
        if (status === 'online' || status === 'away') statuses.set(userIds[i], status);
      });
      return statuses;
    } catch (error) {
      this.recordFailure(error);
      return this.localStatuses(userIds);
    }
  }

  /** Keep the heartbeat running: this instance's sockets stay registered until they close. */
  stop(): string[] {
    return [];
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const socket of this.sockets.values()) clearTimeout(socket.idleTimer);
    this.sockets.clear();
  }

  private markIdle(socketId: string): void {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    socket.idle = true;
    void this.upsert([[socket.userId, socketId, stateOf(socket)]]);
  }

  /** Renew this instance's entries (writing back any lost in a Redis restart), retry failed removals, then sweep. */
  private async beat(): Promise<void> {
    if (this.beating || this.redis.status !== 'ready') return;
    this.beating = true;
    try {
      const unremoved = [...this.unremoved];
      if (unremoved.length > 0 && (await this.remove(unremoved.map(([socketId, userId]) => [userId, socketId])))) {
        for (const [socketId] of unremoved) this.unremoved.delete(socketId);
      }

      // Each batch is read from the map right before it is sent, so a socket that closed during
      // an earlier batch is not written back after its removal.
      const socketIds = [...this.sockets.keys()];
      for (let start = 0; start < socketIds.length; start += BATCH) {
        const entries = socketIds
          .slice(start, start + BATCH)
          .filter((socketId) => this.sockets.has(socketId))
          .map((socketId) => [this.sockets.get(socketId)!.userId, socketId, stateOf(this.sockets.get(socketId)!)]);
        if (entries.length > 0 && !(await this.upsert(entries))) return;
      }

      if (Date.now() < this.sweepPausedUntil) return;
      for (let round = 0; round < MAX_SWEEP_ROUNDS; round++) {
        if (!(await this.sweep())) return;
      }
    } finally {
      this.beating = false;
    }
  }

  /** Run one sweep and return whether another round is needed. */
  private async sweep(): Promise<boolean> {
    const { ttlMs, graceMs, keyPrefix } = this.options;
    try {
      const result = await this.commands.presenceSweep(keyPrefix, ttlMs, graceMs, BATCH);
      this.failures = 0;
      this.emit(result.slice(0, -1));
      return result.at(-1) === 'more';
    } catch (error) {
      this.recordFailure(error);
      return false;
    }
  }

  /** Run the upsert script for (userId, socketId, state) triples; resolves to false when Redis failed. */
  private async upsert(entries: string[][]): Promise<boolean> {
    const { keyPrefix, ttlMs, graceMs } = this.options;
    try {
      this.emit(await this.commands.presenceUpsert(keyPrefix, ttlMs, graceMs, ...entries.flat()));
      this.failures = 0;
      return true;
    } catch (error) {
      this.recordFailure(error);
      return false;
    }
  }

  /** Run the remove script for (userId, socketId) pairs; resolves to false when Redis failed. */
  private async remove(entries: string[][]): Promise<boolean> {
    try {
      this.emit(await this.commands.presenceRemove(this.options.keyPrefix, this.options.graceMs, ...entries.flat()));
      this.failures = 0;
      return true;
    } catch (error) {
      this.recordFailure(error);
      return false;
    }
  }

  /** Pass the (userId, status, lastSeen ms or '') triples a script claimed to the listener. */
  private emit(transitions: string[]): void {
    for (let i = 0; i + 2 < transitions.length; i += 3) {
      const [userId, status, lastSeen] = transitions.slice(i, i + 3);
      this.onTransition(userId, status as PresenceStatus, lastSeen ? new Date(Number(lastSeen)) : undefined);
    }
  }

  /** Derive the status of users from this instance's own sockets alone. */
  private localStatuses(userIds: string[]): Map<string, PresenceStatus> {
    const requested = new Set(userIds);
    const statuses = new Map<string, PresenceStatus>();
    for (const socket of this.sockets.values()) {
      if (!requested.has(socket.userId)) continue;
      if (stateOf(socket) === 'active') statuses.set(socket.userId, 'online');
      else if (!statuses.has(socket.userId)) statuses.set(socket.userId, 'away');
    }
    return statuses;
  }

  private recordFailure(error: unknown): void {
    // Entries that expired during an outage can belong to live instances. Every heartbeat
    // fails while Redis is down, so a pause of one TTL after the last failure lets each live
    // instance renew its entries before anyone sweeps them.
    this.sweepPausedUntil = Date.now() + this.options.ttlMs;
    this.failures += 1;
    // Log the first failure and then every 100th, so an outage does not flood the log.
    if (this.failures === 1 || this.failures % 100 === 0) {
      this.logger.warn(
        { err: (error as Error).message, failures: this.failures },
        "Redis presence unavailable; using this instance's sockets and announcing no changes",
      );
    }
  }
}

function stateOf(socket: LocalSocket): 'active' | 'away' {
  return socket.reported === 'online' && !socket.idle ? 'active' : 'away';
}
