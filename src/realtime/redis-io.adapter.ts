import { INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import { RedisService } from '../redis/redis.service';
import { ListenerIoAdapter } from './listener-io.adapter';

/**
 * Socket.IO over the classic Redis pub/sub adapter, so an emit, a room join or a disconnect
 * on one instance reaches sockets on every instance. Pub/sub delivers at most once, which is
 * all live pushes promise; clients recover anything missed through history or sync.
 */
export class RedisIoAdapter extends ListenerIoAdapter {
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
