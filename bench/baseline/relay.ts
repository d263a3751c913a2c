import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Server } from 'socket.io';
import { PER_HANDLE_METRICS } from '../../src/metrics/metrics.service';

/**
 * The bare relay the benchmark compares the server with: the same Socket.IO version, path,
 * transport and events, but no authentication, validation, database or rate limit. A client
 * names itself and its rooms in the handshake auth: { userId, rooms }.
 */
const registry = new Registry();
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
for (const name of PER_HANDLE_METRICS) registry.removeSingleMetric(name);

const http = createServer((request, response) => {
  if (request.url === '/health/live') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (request.url === '/metrics') {
    registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
    return;
  }
  response.writeHead(404).end();
});

// The server's default heartbeat (SOCKET_PING_INTERVAL_MS, SOCKET_PING_TIMEOUT_MS), which costs
// 1,000 pings a second with 10,000 sockets.
const io = new Server(http, { path: '/ws', transports: ['websocket'], pingInterval: 10_000, pingTimeout: 5_000 });
let seq = 0;

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { userId?: string; rooms?: string[] };
  const userId = String(auth.userId);
  socket.join([`user:${userId}`, ...(auth.rooms ?? [])]);

  socket.on('message:send', (payload: Record<string, string>, ack?: (reply: unknown) => void) => {
    seq += 1;
    const message = {
      id: randomUUID(),
      conversationID: payload.groupID ?? `direct:${userId}:${payload.recipientID}`,
      seq,
      senderID: userId,
      recipientID: payload.recipientID,
      groupID: payload.groupID,
      content: payload.content,
      messageType: 'text',
      timestamp: new Date().toISOString(),
      delivered: false,
      read: false,
      clientMessageId: payload.clientMessageId,
    };
    const rooms = payload.groupID ? [`conversation:${payload.groupID}`] : [`user:${userId}`, `user:${payload.recipientID}`];
    io.to(rooms).emit('message', message);
    ack?.({ ok: true, data: message });
  });

  socket.on('typing', (payload: { conversationID: string; isTyping: boolean }, ack?: (reply: unknown) => void) => {
    const event = { conversationID: payload.conversationID, userID: userId, isTyping: payload.isTyping };
    socket.to(`conversation:${payload.conversationID}`).emit('typing', event);
    ack?.({ ok: true, data: event });
  });
});

const port = Number(process.env.PORT ?? 0);
http.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  console.log(`Baseline relay listening on port ${(http.address() as { port: number }).port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => io.close(() => process.exit(0)));
