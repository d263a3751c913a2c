// Flood a server with Socket.IO events from its own process, so the flood's client-side work
// does not slow the test process that measures other clients.
// Usage: node flood-client.js URL TOKEN EVENT COUNT. Prints "started", then {"ok":n,"limited":n,"other":n}.
const { io } = require('socket.io-client');

const [url, token, event, count] = process.argv.slice(2);
const total = Number(count);
const socket = io(url, { path: '/ws', transports: ['websocket'], auth: { token }, reconnection: false });
const tally = { ok: 0, limited: 0, other: 0 };
let answered = 0;

const finish = () => {
  process.stdout.write(`${JSON.stringify(tally)}\n`);
  socket.close();
  process.exit(0);
};

socket.on('connect_error', (error) => {
  process.stderr.write(`connect_error: ${error.message}\n`);
  process.exit(1);
});

socket.on('connect', () => {
  process.stdout.write('started\n');
  let sent = 0;
  const burst = () => {
    for (let i = 0; i < 100 && sent < total; i++, sent++) {
      socket.timeout(30_000).emit(event, {}, (error, ack) => {
        if (error) tally.other += 1;
        else if (ack.ok) tally.ok += 1;
        else if (ack.error.error === 'RATE_LIMITED') tally.limited += 1;
        else tally.other += 1;
        answered += 1;
        if (answered === total) finish();
      });
    }
    if (sent < total) setTimeout(burst, 5);
  };
  burst();
});

setTimeout(() => {
  process.stderr.write('flood did not finish within 60 s\n');
  process.exit(2);
}, 60_000).unref();
