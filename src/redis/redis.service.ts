import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis, { RedisOptions } from 'ioredis';
import { Environment } from '../config/environment';

/** Delay before reconnect attempt n: grows by 200 ms per attempt, capped at 2 s. */
const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000);

/**
 * The Redis connections of multi-instance mode: one for commands, and a publisher and a
 * subscriber for the Socket.IO adapter. Without REDIS_URL there are none and every caller
 * uses its in-process fallback. Commands fail fast while Redis is unreachable instead of
 * queueing, and ioredis reconnects in the background.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly command?: Redis;
  readonly publisher?: Redis;
  readonly subscriber?: Redis;
  /** REDIS_KEY_PREFIX: every key and channel of this deployment starts with it, so deployments can share one Redis. */
  readonly keyPrefix: string;

  constructor(config: ConfigService<Environment, true>) {
    this.keyPrefix = config.get('REDIS_KEY_PREFIX', { infer: true });
    const url = config.get('REDIS_URL', { infer: true });
    if (!url) return;

    const options: RedisOptions = { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 };
    this.command = this.connect(url, 'command', options);
    this.publisher = this.connect(url, 'publisher', options);
    // The subscriber queues its SUBSCRIBE commands until the first connection is up.
    this.subscriber = this.connect(url, 'subscriber', { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null });
  }

  /** Prefix a key or channel name with REDIS_KEY_PREFIX. */
  key(name: string): string {
    return `${this.keyPrefix}${name}`;
  }

  get enabled(): boolean {
    return this.command !== undefined;
  }

  /** True when every connection is up; false in degraded mode or without Redis. */
  get connected(): boolean {
    return [this.command, this.publisher, this.subscriber].every((client) => client?.status === 'ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.command, this.publisher, this.subscriber].map((client) => client?.quit().catch(() => client.disconnect())));
  }

  private connect(url: string, role: string, options: RedisOptions): Redis {
    const client = new Redis(url, { ...options, connectionName: `chat-${role}` });
    let failures = 0;
    client.on('ready', () => {
      if (failures > 0) this.logger.log({ role }, 'Redis connection restored');
      failures = 0;
    });
    client.on('error', (error: Error) => {
      failures += 1;
      // Log the first failure and then every 50th, so an outage does not flood the log.
      if (failures === 1 || failures % 50 === 0)
        this.logger.warn({ role, failures, err: error.message }, 'Redis connection failed; retrying');
    });
    return client;
  }
}
