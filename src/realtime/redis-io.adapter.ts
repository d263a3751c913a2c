import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import { RedisService } from '../redis/redis.service';

/**
 * Socket.IO over the classic Redis pub/sub adapter, so an emit, a room join or a disconnect
 * on one instance reaches sockets on every instance. Pub/sub delivers at most once, which is
 * all live pushes promise; clients recover anything missed through history or sync.
 */
export class RedisIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly redis: RedisService,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(
      createAdapter(this.redis.publisher!, this.redis.subscriber!, { key: this.redis.key('socket.io'), requestsTimeout: 3000 }),
    );
    return server;
  }
}
