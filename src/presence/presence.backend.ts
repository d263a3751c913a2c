import { PresenceStatus } from '../users/dto/user.view';

/** The status a client reports for one socket through `presence:set`. */
export type ReportedStatus = 'online' | 'away';

export interface PresenceTimings {
  /** A socket with no event for this long is idle. */
  idleMs: number;
  /** A user whose last socket closed stays in their last status for this long. */
  graceMs: number;
}

/** Called once for each change of a user's status; `lastSeenAt` is set when the change is to offline. */
export type TransitionListener = (userId: string, status: PresenceStatus, lastSeenAt?: Date) => void;

/**
 * Presence storage. PresenceTracker keeps presence in this process, and RedisPresence shares
 * it between instances. Both call the listener once per change of a user's status.
 */
export interface PresenceBackend {
  connect(userId: string, socketId: string): void;
  disconnect(socketId: string): void;
  /** Record that the socket sent an event, which ends its idle state. */
  touch(socketId: string): void;
  /** Store the status a client reported for one socket, and resolve once the user's status reflects it. */
  report(socketId: string, status: ReportedStatus): Promise<void>;
  /** Return the status of each user. Users missing from the map are offline. */
  statuses(userIds: string[]): Promise<Map<string, PresenceStatus>>;
  /** Called when shutdown begins: returns the users whose presence ends with this process. */
  stop(): string[];
  /** Called after the sockets have closed: cancels every timer. */
  close(): void;
}
