import { Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { MessageBatcher } from '../../src/messages/message-batcher';
import { InsertedMessage, MessagesRepository, NewMessage, PendingMessage } from '../../src/messages/messages.repository';
import { ConfigService } from '@nestjs/config';
import { AppError } from '../../src/common/errors/app-error';
import { Environment } from '../../src/config/environment';
import { MetricsService } from '../../src/metrics/metrics.service';

const message = (content: string): NewMessage => ({ senderId: 's', content, messageType: 'text', clientMessageId: null });
const stored = (content: string) => ({ content }) as InsertedMessage;
const sqlError = (code: string) => new QueryFailedError('SELECT store_messages()', [], Object.assign(new Error(code), { code }));

/** Build a repository whose insertMany returns what `answer` returns and records every batch. */
function repositoryWith(answer: (items: readonly PendingMessage[]) => Promise<(InsertedMessage | null)[]>) {
  const batches: string[][] = [];
  const repository = {
    insertMany: jest.fn(async (items: readonly PendingMessage[]) => {
      batches.push(items.map((item) => item.message.content));
      return answer(items);
    }),
  };
  return { repository: repository as unknown as MessagesRepository, batches };
}

/** Build a batcher whose sends may wait maxWaitMs in the queue. */
function batcherOf(repository: MessagesRepository, maxWaitMs = 1500): MessageBatcher {
  const config = { get: () => maxWaitMs } as unknown as ConfigService<Environment, true>;
  return new MessageBatcher(repository, new MetricsService(), config);
}

const echo = async (items: readonly PendingMessage[]) => items.map((item) => stored(item.message.content));

describe('MessageBatcher', () => {
  it('stores one turn of sends in one call', async () => {
    const { repository, batches } = repositoryWith(echo);
    const batcher = batcherOf(repository);

    const results = await Promise.all([
      batcher.store({ conversationId: 'b' }, message('b1')),
      batcher.store({ directKey: 'x:y' }, message('d1')),
      batcher.store({ conversationId: 'a' }, message('a1')),
      batcher.store({ conversationId: 'b' }, message('b2')),
    ]);

    expect(batches).toEqual([['d1', 'a1', 'b1', 'b2']]);
    expect(results.map((result) => result?.content)).toEqual(['b1', 'd1', 'a1', 'b2']);
  });

  it('queues sends while a batch is stored', async () => {
    let release!: () => void;
    const firstBatchDone = new Promise<void>((resolve) => (release = resolve));
    const { repository, batches } = repositoryWith(async (items) => {
      if (batches.length === 1) await firstBatchDone;
      return echo(items);
    });
    const batcher = batcherOf(repository);

    const first = batcher.store({ conversationId: 'c' }, message('1'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [batcher.store({ conversationId: 'c' }, message('2')), batcher.store({ conversationId: 'c' }, message('3'))];
    await new Promise((resolve) => setImmediate(resolve));

    expect(batches).toEqual([['1']]);
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([['1'], ['2', '3']]);
  });

  it('retries each send alone after an item error', async () => {
    const { repository, batches } = repositoryWith(async (items) => {
      if (items.some((item) => item.message.content === 'bad')) throw sqlError('22021');
      return echo(items);
    });
    const batcher = batcherOf(repository);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const results = await Promise.allSettled([
      batcher.store({ conversationId: 'c' }, message('good 1')),
      batcher.store({ conversationId: 'c' }, message('bad')),
      batcher.store({ conversationId: 'c' }, message('good 2')),
    ]);

    expect(batches).toEqual([['good 1', 'bad', 'good 2'], ['good 1'], ['bad'], ['good 2']]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('rejects the batch when the database is unreachable', async () => {
    const unreachable = new Error('timeout exceeded when trying to connect');
    const { repository, batches } = repositoryWith(async () => {
      throw unreachable;
    });
    const batcher = batcherOf(repository);

    const results = await Promise.allSettled([
      batcher.store({ conversationId: 'c' }, message('1')),
      batcher.store({ conversationId: 'd' }, message('2')),
    ]);

    expect(batches).toHaveLength(1);
    expect(results).toEqual([
      { status: 'rejected', reason: unreachable },
      { status: 'rejected', reason: unreachable },
    ]);
  });

  it('does not retry after a statement timeout', async () => {
    const { repository, batches } = repositoryWith(async () => {
      throw sqlError('57014');
    });
    const batcher = batcherOf(repository);

    await Promise.allSettled([batcher.store({ conversationId: 'c' }, message('1')), batcher.store({ conversationId: 'c' }, message('2'))]);

    expect(batches).toHaveLength(1);
  });

  it('rejects sends that waited too long', async () => {
    let release!: () => void;
    const firstBatchDone = new Promise<void>((resolve) => (release = resolve));
    const { repository, batches } = repositoryWith(async (items) => {
      if (batches.length === 1) await firstBatchDone;
      return echo(items);
    });
    const batcher = batcherOf(repository, 200);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const first = batcher.store({ conversationId: 'c' }, message('1'));
    await new Promise((resolve) => setImmediate(resolve));
    const late = batcher.store({ conversationId: 'c' }, message('late'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(batcher.backlogged).toBe(true);
    const fresh = batcher.store({ conversationId: 'c' }, message('fresh'));
    release();

    await expect(first).resolves.toEqual(stored('1'));
    await expect(late).rejects.toBeInstanceOf(AppError);
    await expect(late).rejects.toMatchObject({ error: 'SERVICE_UNAVAILABLE', retryAfterMs: 1000 });
    await expect(fresh).resolves.toEqual(stored('fresh'));
    expect(batches).toEqual([['1'], ['fresh']]);
    expect(batcher.backlogged).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
