import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { QueryFailedError } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { InsertedMessage, MessagesRepository, NewMessage, PendingMessage, SendTarget } from './messages.repository';

/**
 * Maximum number of sends stored by one database call. With 100 the batcher itself capped the
 * server at about 2,800 msg/s on the benchmark machine. With 500 the event loop is the limit.
 */
const MAX_BATCH_SIZE = 500;

/**
 * SQLSTATE classes that one item of a batch can cause, or that a retry can clear: data
 * exceptions (22), integrity violations (23) and transaction rollbacks such as deadlocks (40).
 */
const ITEM_ERROR_CLASSES = new Set(['22', '23', '40']);

/** Build the error of a send rejected because the batcher was backlogged. */
export const overloadedError = () =>
  new AppError(
    'SERVICE_UNAVAILABLE',
    'The server is overloaded and did not store the message. Retry it after retryAfterMs.',
    undefined,
    1000,
  );

interface QueuedSend extends PendingMessage {
  /** performance.now() when the send was queued. */
  queuedAt: number;
  resolve(stored: InsertedMessage | null): void;
  reject(error: unknown): void;
}

/**
 * Group commit for sends: every send that arrives while a batch is being stored goes into the
 * next batch, stored by one statement and one commit. A caller's promise settles only after its
 * batch has committed, so nothing is acknowledged before it is durable. Under light load a
 * batch contains the sends of one event-loop turn, often just one.
 *
 * One batch at a time keeps sends in arrival order, so one socket's pipelined sends to a
 * conversation get ascending seq. Two batches in flight made batches smaller at the same CPU
 * per message (docs/benchmarks.md).
 *
 * Under overload the queue would grow without bound, so a send that waited longer than
 * DATABASE_CONNECT_TIMEOUT_MS fails with SERVICE_UNAVAILABLE without being stored, as it would
 * after waiting that long for a pool connection.
 */
@Injectable()
export class MessageBatcher {
  private readonly logger = new Logger(MessageBatcher.name);
  private readonly maxWaitMs: number;
  private queue: QueuedSend[] = [];
  private storing = false;
  private flushScheduled = false;

  constructor(
    private readonly messages: MessagesRepository,
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.maxWaitMs = config.get('DATABASE_CONNECT_TIMEOUT_MS', { infer: true });
  }

  /**
   * True while the oldest queued send has waited more than half of maxWaitMs: a send queued now
   * would wait at least as long, and likely time out.
   */
  get backlogged(): boolean {
    return this.queue.length > 0 && performance.now() - this.queue[0].queuedAt > this.maxWaitMs / 2;
  }

  /** Queue a send and resolve to the stored message, or to null when nothing was inserted (see MessagesRepository.insertMany). */
  store(target: SendTarget, message: NewMessage): Promise<InsertedMessage | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ target, message, queuedAt: performance.now(), resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.storing || this.queue.length === 0) return;

    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.storing) return;

    this.rejectExpired();
    if (this.queue.length === 0) return;

    const batch = this.queue.splice(0, MAX_BATCH_SIZE);
    this.storing = true;
    void this.run(batch).finally(() => {
      this.storing = false;
      this.scheduleFlush();
    });
  }

  /** Reject the sends at the head of the queue that waited longer than maxWaitMs. */
  private rejectExpired(): void {
    const oldestAllowed = performance.now() - this.maxWaitMs;
    let expired = 0;
    while (expired < this.queue.length && this.queue[expired].queuedAt < oldestAllowed) expired += 1;
    if (expired === 0) return;

    this.logger.warn({ sends: expired, maxWaitMs: this.maxWaitMs }, 'Sends timed out waiting for their batch and were rejected');
    const error = overloadedError();
    for (const send of this.queue.splice(0, expired)) send.reject(error);
  }

  private async run(batch: QueuedSend[]): Promise<void> {
    const ordered = batch.sort(byConversation);
    this.metrics.sendBatchSize.observe(ordered.length);
    const endTimer = this.metrics.sendBatchDuration.startTimer();
    try {
      const stored = await this.messages.insertMany(ordered);
      endTimer();
      ordered.forEach((send, index) => send.resolve(stored[index]));
    } catch (error) {
      if (ordered.length > 1 && isItemError(error)) {
        this.logger.warn({ err: error, sends: ordered.length }, 'Batch of sends failed, storing each on its own');
        for (const send of ordered) await this.run([send]);
        return;
      }
      for (const send of ordered) send.reject(error);
    }
  }
}

/**
 * Compare sends by conversation. run() sorts every batch with it, so batches of two instances
 * lock the conversations they share in one order and do not deadlock on those locks. A deadlock
 * with another kind of transaction fails the batch (SQLSTATE 40P01), and run() then stores each
 * send alone. Array.prototype.sort is stable, so sends to one conversation keep their arrival order.
 */
function byConversation(a: PendingMessage, b: PendingMessage): number {
  const keyA = conversationKey(a.target);
  const keyB = conversationKey(b.target);
  if (keyA === keyB) return 0;
  return keyA < keyB ? -1 : 1;
}

function conversationKey(target: SendTarget): string {
  return 'directKey' in target ? `d:${target.directKey}` : `g:${target.conversationId}`;
}

function isItemError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown }).code;
  return typeof code === 'string' && ITEM_ERROR_CLASSES.has(code.slice(0, 2));
}
