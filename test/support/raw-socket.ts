import WebSocket from 'ws';
import { Server } from './clients';

export interface Closed {
  code: number;
  reason: string;
  at: number;
}

/** An Engine.IO WebSocket without a Socket.IO client: the test decides which packets to send, if any. */
export interface RawSocket {
  ws: WebSocket;
  /** Text frames received, in order: "0{...}" open, "2" ping, "40{...}" Socket.IO CONNECT reply, ... */
  frames: string[];
  openedAt: number;
  closed: Promise<Closed>;
}

export function engineUrl(app: Server): string {
  return `${app.url.replace('http://', 'ws://')}/ws/?EIO=4&transport=websocket`;
}

/** Open a raw WebSocket to the engine and wait for its open packet. */
export function openRawSocket(app: Server, localAddress?: string): Promise<RawSocket> {
  const ws = new WebSocket(engineUrl(app), { localAddress });
  const frames: string[] = [];
  const closed = new Promise<Closed>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() }));
  });
  ws.on('message', (data) => frames.push(data.toString()));

  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
    ws.once('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0')) resolve({ ws, frames, openedAt: Date.now(), closed });
      else reject(new Error(`expected an Engine.IO open packet, got ${text.slice(0, 80)}`));
    });
  });
}

/** Send the Socket.IO CONNECT packet with a token and wait for the server's CONNECT reply. */
export async function connectRaw(socket: RawSocket, token: string, timeoutMs = 5000): Promise<void> {
  socket.ws.send(`40${JSON.stringify({ token })}`);
  const deadline = Date.now() + timeoutMs;
  while (!socket.frames.some((frame) => frame.startsWith('40'))) {
    if (Date.now() > deadline) throw new Error(`no CONNECT reply within ${timeoutMs} ms: ${socket.frames.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface UpgradeRejection {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Attempt a WebSocket upgrade; resolves with the HTTP response when the server rejects it, or null when it opens. */
export function attemptUpgrade(app: Server, localAddress?: string): Promise<UpgradeRejection | null> {
  const ws = new WebSocket(engineUrl(app), { localAddress });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(null);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    ws.once('error', (error) => reject(error));
  });
}
