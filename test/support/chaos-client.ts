import { io, Socket } from 'socket.io-client';
import { AckEnvelope } from './clients';

export interface HeldMessage {
  id: string;
  conversationID: string;
  seq: number;
  senderID: string;
  content: string;
  clientMessageId?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A chat client that survives instance failures the way a real one should: it fails over
 * between server URLs, retries unacknowledged sends with the same clientMessageId, and keeps
 * every message it has seen keyed by id.
 */
export class ChaosClient {
  readonly held = new Map<string, HeldMessage>();
  retries = 0;
  private socket?: Socket;
  private connecting?: Promise<Socket>;

  constructor(
    readonly userId: string,
    readonly token: string,
    private readonly urls: string[],
  ) {}

  hold(message: HeldMessage): void {
    this.held.set(message.id, message);
  }

  /** Send until acknowledged, at most `deadline` ms; resolves to the stored message. */
  async send(body: Record<string, unknown>, deadline = Date.now() + 60_000): Promise<HeldMessage> {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) this.retries += 1;
      let ack: AckEnvelope<HeldMessage>;
      try {
        const socket = await this.connected(deadline);
        ack = await socket.timeout(3000).emitWithAck('message:send', body);
      } catch {
        await sleep(100);
        continue;
      }
      if (ack.ok) {
        this.hold(ack.data!);
        return ack.data!;
      }
      if (ack.error?.error !== 'SERVICE_UNAVAILABLE' && ack.error?.error !== 'RATE_LIMITED') {
        throw new Error(`send rejected: ${JSON.stringify(ack.error)}`);
      }
      await sleep(ack.error.retryAfterMs ?? 200);
    }
    throw new Error(`send of ${String(body.clientMessageId)} not acknowledged in time`);
  }

  /** A connected socket, connecting (or failing over) first when needed. */
  connected(deadline = Date.now() + 30_000): Promise<Socket> {
    if (this.socket?.connected) return Promise.resolve(this.socket);
    this.connecting ??= this.connect(deadline).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  close(): void {
    this.socket?.close();
  }

  private async connect(deadline: number): Promise<Socket> {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const url = this.urls[attempt % this.urls.length];
      try {
        this.socket = await this.open(url);
        return this.socket;
      } catch {
        await sleep(Math.min(50 * attempt, 500));
      }
    }
    throw new Error(`user ${this.userId} could not connect`);
  }

  private open(url: string): Promise<Socket> {
    const socket = io(url, {
      path: '/ws',
      transports: ['websocket'],
      auth: { token: this.token },
      reconnection: false,
      forceNew: true,
      timeout: 2000,
    });
    socket.on('message', (message: HeldMessage) => this.hold(message));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }
}
