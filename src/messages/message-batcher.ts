import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { InsertedMessage, MessagesRepository, NewMessage, PendingMessage, SendTarget } from './messages.repository';

/** The most sends one database call stores. */
const MAX_BATCH_SIZE = 100;

/** Batches in flight at once. Sends that arrive meanwhile wait and go together in the next batch. */
const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * SQLSTATE classes that one item of a batch can cause, or that a retry can clear: data
 * exceptions (22), integrity violations (23) and transaction rollbacks such as deadlocks (40).
 */
const ITEM_ERROR_CLASSES = new Set(['22', '23', '40']);

interface QueuedSend extends PendingMessage {
  resolve(stored: InsertedMessage | null): void;
  reject(error: unknown): void;
}

/**
 * Group commit for sends: every send that arrives while the database is busy with earlier
 * batches goes into the next batch, stored by one statement and one commit. A caller's promise
 * settles only after its batch has committed, so nothing is acknowledged before it is durable.
 * Under light load a batch holds the sends of one event-loop turn, often just one.
 */
@Injectable()
export class MessageBatcher {
  private readonly logger = new Logger(MessageBatcher.name);
  private readonly maxInFlight: number;
  private queue: QueuedSend[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  constructor(
    private readonly messages: MessagesRepository,
    @InjectDataSource() dataSource: DataSource,
  ) {
    const poolSize = (dataSource.options as { poolSize?: number }).poolSize ?? 1;
    this.maxInFlight = Math.max(1, Math.min(MAX_BATCHES_IN_FLIGHT, poolSize));
  }

  /** Resolves to the stored message, or null when nothing was inserted (see MessagesRepository.insertMany). */
  store(target: SendTarget, message: NewMessage): Promise<InsertedMessage | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ target, message, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;

    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH_SIZE);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.scheduleFlush();
      });
    }
  }

  private async run(batch: QueuedSend[]): Promise<void> {
    const ordered = batch.sort(byConversation);
    try {
      const stored = await this.messages.insertMany(ordered);
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
 * A stable order of conversations. Every batch locks its conversations in this order, so two
 * concurrent batches never wait for each other in a cycle, and sends to one conversation keep
 * their arrival order.
 */
function byConversation(a: PendingMessage, b: PendingMessage): number {
  const keyA = conversationKey(a.target);
  const keyB = conversationKey(b.target);
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

function conversationKey(target: SendTarget): string {
  return 'directKey' in target ? `d:${target.directKey}` : `g:${target.conversationId}`;
}

function isItemError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown }).code;
  return typeof code === 'string' && ITEM_ERROR_CLASSES.has(code.slice(0, 2));
}
