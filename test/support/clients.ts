import { randomBytes } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import request from 'supertest';

/** Anything serving the API: an in-process TestApp or a child-process instance. */
export interface Server {
  url: string;
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
  /** Refresh token of the login's session; seeded users get one too. */
  refreshToken: string;
}

let counter = 0;

/** Generate a username that is unique across test runs sharing one database, 3 to 20 characters long. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix.slice(0, 6)}${counter}_${randomBytes(4).toString('hex')}`.slice(0, 20);
}

/** Register a fresh user through the API and log in. */
export async function registerUser(app: Server, prefix = 'u'): Promise<TestUser> {
  const username = uniqueName(prefix);
  const email = `${username}@example.test`;
  const password = 'correct horse battery';

  const registered = await request(app.url).post('/api/users/register').send({ username, email, password });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await request(app.url).post('/api/users/login').send({ username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);

  return { id: registered.body.id, username, email, password, token: login.body.accessToken, refreshToken: login.body.refreshToken };
}

/** Connect a socket.io-client the way a real client does; rejects with the connect_error. */
export function connectSocket(app: Server, token?: string, options: Record<string, unknown> = {}): Promise<Socket> {
  const socket = io(app.url, {
    path: '/ws',
    transports: ['websocket'],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    ...options,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export interface AckEnvelope<T = any> {
  ok: boolean;
  data?: T;
  error?: { code: number; error: string; message: string; details?: { field: string; constraints: string[] }[]; retryAfterMs?: number };
}

/** Emit an event and wait for its ack, failing after timeoutMs. */
export function emitAck<T = any>(socket: Socket, event: string, payload?: unknown, timeoutMs = 5000): Promise<AckEnvelope<T>> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<AckEnvelope<T>>;
}

/** Resolve with the first `event` payload that matches, failing after timeoutMs. */
export function nextEvent<T = any>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Record every payload of `event` from now on. */
export function collect<T = any>(socket: Socket, event: string): T[] {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
}

/** Wait until check() is true, polling every 20 ms, failing after timeoutMs. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Build supertest requests that carry the user's bearer token. */
export function api(app: Server, user?: TestUser) {
  const agent = request(app.url);
  const withAuth = <R extends request.Test>(test: R) => (user ? test.set('Authorization', `Bearer ${user.token}`) : test);
  return {
    get: (path: string) => withAuth(agent.get(path)),
    post: (path: string) => withAuth(agent.post(path)),
    delete: (path: string) => withAuth(agent.delete(path)),
  };
}
