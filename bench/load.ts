import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';
import { Population } from './population';
import { EventKind, Schedule } from './schedule';
import { LatencySummary, loopDelay, summarize } from './stats';

/** A server to drive: where it listens and the handshake auth of each user. */
export interface LoadTarget {
  url: string;
  auth(user: number): Record<string, unknown>;
}

export interface LoadOptions {
  connectConcurrency: number;
  ackTimeoutMs: number;
  /** How long to wait after the last send for outstanding acks and deliveries. */
  drainMs: number;
}

export interface LoadResult {
  connectSeconds: number;
  /** Handshakes the server rejected and the harness retried. */
  connectRetries: number;
  /** Wait after connecting until the target's CPU use dropped, before the schedule started. */
  settleSeconds: number;
  /** `unanswered`: sends whose ack had neither arrived nor timed out when the drain ended. */
  messages: { scheduled: number; acked: number; failed: Record<string, number>; ackTimeouts: number; unanswered: number };
  /** From each message's intended send time to its ack at the sender. */
  sendToAck: LatencySummary;
  /** From each message's intended send time to its arrival at each recipient socket. */
  sendToReceive: LatencySummary;
  /** send→receive latency per second of the schedule, by intended send time, to show stalls and backlogs. */
  timeline: { second: number; p50: number | null; p99: number | null; max: number | null }[];
  deliveries: { expected: number; received: number; lost: number; duplicated: number; misrouted: number };
  typing: { scheduled: number; acked: number; received: number };
  /** From the first intended send to the last ack. */
  windowSeconds: number;
  /** Acknowledged messages per second over windowSeconds. */
  throughput: number;
  generatorLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time of the generator process per acknowledged message, from process.cpuUsage(). */
  generatorCpuMsPerMessage: number;
}

/** Lead time between building the timeline and its first event, so connection setup has settled. */
const START_DELAY_MS = 200;

/** Content and clientMessageId of message `index` in a phase, so a late message of one phase cannot count in another. */
const contentOf = (phase: string, index: number) => `bench ${phase} ${index}`;
export const clientMessageIdOf = (population: Population, phase: string, index: number | '') => `${population.tag}-${phase}-${index}`;

function connect(target: LoadTarget, user: number, timeoutMs: number): Promise<Socket> {
  const socket = io(target.url, {
    path: '/ws',
    transports: ['websocket'],
    auth: target.auth(user),
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`Connecting the socket of user ${user} to ${target.url} failed: ${error.message}`));
    });
  });
}

/** Attempts per socket; a rejected handshake is retried after 500 ms, then 1 s, as a client with backoff would. */
const CONNECT_ATTEMPTS = 3;

/** Sockets between two calls of connectAll's progress callback. */
const PROGRESS_EVERY = 2000;

/**
 * Connect one socket per user, `concurrency` handshakes at a time, calling `progress` every
 * PROGRESS_EVERY sockets. Returns the sockets and how many handshakes were rejected and
 * retried; throws when a socket fails every attempt.
 */
export async function connectAll(
  target: LoadTarget,
  users: number,
  concurrency: number,
  progress?: (connected: number) => void,
): Promise<{ sockets: Socket[]; retries: number }> {
  const sockets: Socket[] = new Array(users);
  let next = 0;
  let connected = 0;
  let retries = 0;
  const connectWithRetry = async (user: number) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await connect(target, user, 30_000);
      } catch (error) {
        if (attempt === CONNECT_ATTEMPTS) throw error;
        retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  };
  const worker = async () => {
    for (let user = next++; user < users; user = next++) {
      sockets[user] = await connectWithRetry(user);
      connected += 1;
      if (connected % PROGRESS_EVERY === 0 && connected < users) progress?.(connected);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, users) }, worker));
  } catch (error) {
    closeAll(sockets);
    throw error;
  }
  return { sockets, retries };
}

export function closeAll(sockets: Socket[]): void {
  for (const socket of sockets) socket?.close();
}

/** The sockets that should receive message `index`: both ends of a direct pair, or every member of a group. */
function recipientsOf(population: Population, schedule: Schedule, index: number): number[] {
  if (schedule.kind[index] === EventKind.Group) {
    const first = schedule.target[index] * population.groupSize;
    return Array.from({ length: population.groupSize }, (_, offset) => first + offset);
  }
  const pair = population.directPairs[schedule.target[index]];
  return pair.a === pair.b ? [pair.a] : [pair.a, pair.b];
}

function payloadOf(population: Population, schedule: Schedule, phase: string, index: number): Record<string, unknown> {
  const kind = schedule.kind[index];
  if (kind === EventKind.Typing) {
    return { conversationID: population.directPairs[schedule.target[index]].conversationId, isTyping: true };
  }
  const content = contentOf(phase, index);
  const clientMessageId = clientMessageIdOf(population, phase, index);
  if (kind === EventKind.Group) return { groupID: population.groupIds[schedule.target[index]], content, clientMessageId };

  const pair = population.directPairs[schedule.target[index]];
  return { recipientID: population.userIds[pair.b], content, clientMessageId };
}

/**
 * Play the schedule over connected sockets and account for every acknowledgement and
 * delivery. Stops by itself after the schedule plus at most `drainMs`.
 */
export async function runSchedule(
  sockets: Socket[],
  population: Population,
  schedule: Schedule,
  options: LoadOptions,
  phase: string,
): Promise<Omit<LoadResult, 'connectSeconds' | 'connectRetries' | 'settleSeconds'>> {
  const events = schedule.at.length;
  const receivers: (number[] | undefined)[] = new Array(events);
  const ackOk = new Uint8Array(events);
  const sendToAck: number[] = [];
  const sendToReceive: number[] = [];
  const perSecond: number[][] = Array.from({ length: Math.ceil((schedule.at[events - 1] ?? 0) / 1000) + 1 }, () => []);
  const failed: Record<string, number> = {};
  let ackTimeouts = 0;
  let pendingAcks = 0;
  let lastAckAt = 0;
  let typingAcked = 0;
  let typingReceived = 0;
  let received = 0;
  let expectedSoFar = 0;
  let start = 0;

  const prefix = contentOf(phase, 0).slice(0, -1);
  const onTyping = () => (typingReceived += 1);
  const listeners = sockets.map((socket, user) => (message: { content?: string }) => {
    const now = performance.now();
    if (!message.content?.startsWith(prefix)) return;
    received += 1;
    const index = Number(message.content.slice(prefix.length));
    if (!Number.isInteger(index) || index < 0 || index >= events) return;
    (receivers[index] ??= []).push(user);
    const latency = now - (start + schedule.at[index]);
    sendToReceive.push(latency);
    perSecond[Math.floor(schedule.at[index] / 1000)].push(latency);
  });
  sockets.forEach((socket, user) => {
    socket.on('typing', onTyping);
    socket.on('message', listeners[user]);
  });

  const fire = (index: number) => {
    const kind = schedule.kind[index];
    const event = kind === EventKind.Typing ? 'typing' : 'message:send';
    pendingAcks += 1;
    sockets[schedule.sender[index]]
      .timeout(options.ackTimeoutMs)
      .emit(
        event,
        payloadOf(population, schedule, phase, index),
        (error: Error | null, ack?: { ok: boolean; error?: { error: string } }) => {
          pendingAcks -= 1;
          if (kind === EventKind.Typing) {
            if (ack?.ok) typingAcked += 1;
            return;
          }
          const now = performance.now();
          if (error) ackTimeouts += 1;
          else if (!ack?.ok) failed[ack?.error?.error ?? 'UNKNOWN'] = (failed[ack?.error?.error ?? 'UNKNOWN'] ?? 0) + 1;
          else {
            ackOk[index] = 1;
            expectedSoFar += recipientsOf(population, schedule, index).length;
            lastAckAt = now;
            sendToAck.push(now - (start + schedule.at[index]));
          }
        },
      );
  };

  const cpuBefore = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 2 });
  loop.enable();
  start = performance.now() + START_DELAY_MS;
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const elapsed = performance.now() - start;
      while (next < events && schedule.at[next] <= elapsed) fire(next++);
      if (next < events) setTimeout(tick, Math.max(0, schedule.at[next] - (performance.now() - start)));
      else resolve();
    };
    setTimeout(tick, START_DELAY_MS);
  });

  const drainDeadline = performance.now() + options.drainMs;
  while (performance.now() < drainDeadline && (pendingAcks > 0 || received < expectedSoFar)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  sockets.forEach((socket, user) => {
    socket.off('typing', onTyping);
    socket.off('message', listeners[user]);
  });

  const deliveries = { expected: 0, received, lost: 0, duplicated: 0, misrouted: 0 };
  for (let index = 0; index < events; index += 1) {
    if (schedule.kind[index] === EventKind.Typing) continue;
    const expected = new Set(recipientsOf(population, schedule, index));
    const got = receivers[index] ?? [];
    const unique = new Set(got);
    deliveries.duplicated += got.length - unique.size;
    for (const user of unique) if (!expected.has(user)) deliveries.misrouted += 1;
    if (!ackOk[index]) continue;
    deliveries.expected += expected.size;
    for (const user of expected) if (!unique.has(user)) deliveries.lost += 1;
  }

  const acked = sendToAck.length;
  const windowMs = Math.max(lastAckAt - start, 1);
  const typingScheduled = events - schedule.messages;
  return {
    messages: {
      scheduled: schedule.messages,
      acked,
      failed,
      ackTimeouts,
      unanswered: schedule.messages - acked - ackTimeouts - Object.values(failed).reduce((sum, count) => sum + count, 0),
    },
    sendToAck: summarize(sendToAck),
    sendToReceive: summarize(sendToReceive),
    timeline: perSecond.map((samples, second) => {
      const { p50, p99, max } = summarize(samples);
      return { second, p50, p99, max };
    }),
    deliveries,
    typing: { scheduled: typingScheduled, acked: typingAcked, received: typingReceived },
    windowSeconds: Math.round(windowMs) / 1000,
    throughput: Math.round((acked / windowMs) * 1000),
    generatorLoopDelayMs: loopDelay(loop),
    generatorCpuMsPerMessage: Math.round((cpu.user + cpu.system) / Math.max(acked, 1)) / 1000,
  };
}
