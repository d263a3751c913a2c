import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between the server and PostgreSQL. A test can cut it: every
 * connection is destroyed and new ones are refused because nothing listens. It can also turn
 * it into a black hole, as in a network partition: connections stay open but no byte gets
 * through. restore() brings it back on the same port.
 */
export class TcpProxy {
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private blackholed = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Destroy every proxied connection and stop listening, so new connections get ECONNREFUSED. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stop forwarding on every open connection, and accept new ones without forwarding them. */
  blackhole(): void {
    this.blackholed = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Forward again: after a black hole the stalled connections are destroyed; after a cut the proxy listens again. */
  async restore(): Promise<void> {
    if (this.blackholed) {
      this.blackholed = false;
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    }
    if (!this.server) await this.start();
  }

  private forward(client: Socket): void {
    if (this.blackholed) {
      this.sockets.add(client);
      client.on('error', () => client.destroy());
      client.on('close', () => this.sockets.delete(client));
      client.pause();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
