import request from 'supertest';
import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { api, connectSocket, emitAck, registerUser } from '../support/clients';

/** Read one sample from Prometheus text exposition, e.g. sample(text, 'chat_messages_sent_total{kind="direct"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics [PGlite]', () => {
  let app: TestApp;
  const sockets: Socket[] = [];

  const scrape = async () => {
    const response = await request(app.url).get('/metrics');
    expect(response.status).toBe(200);
    return response.text;
  };

  beforeAll(async () => {
    app = await startApp();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app.close();
  });

  it('serves the exposition format outside the api prefix', async () => {
    const response = await request(app.url).get('/metrics');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(sample(response.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(response.text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    // Collected by walking every open handle, which blocks the event loop with many sockets.
    expect(sample(response.text, 'nodejs_active_handles_total')).toBeUndefined();
    expect(sample(response.text, 'process_open_fds')).toBeUndefined();
    expect((await request(app.url).get('/api/metrics')).status).toBe(404);
  });

  it('counts sockets, sends, latency and fan-out', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const carol = await registerUser(app, 'carol');
    const group = await api(app, alice)
      .post('/api/groups')
      .send({ name: 'metrics', memberIDs: [bob.id, carol.id] });
    expect(group.status).toBe(201);

    const before = await scrape();
    for (const user of [alice, bob, carol]) sockets.push(await connectSocket(app, user.token));
    const [aliceSocket] = sockets;

    const direct = await emitAck(aliceSocket, 'message:send', { recipientID: bob.id, content: 'direct' });
    const grouped = await emitAck(aliceSocket, 'message:send', { groupID: group.body.id, content: 'group' });
    expect(direct.ok).toBe(true);
    expect(grouped.ok).toBe(true);

    const delta = (text: string, series: string) => (sample(text, series) ?? 0) - (sample(before, series) ?? 0);
    const after = await scrape();

    expect(delta(after, 'chat_connected_sockets')).toBe(3);
    expect(delta(after, 'chat_messages_sent_total{kind="direct"}')).toBe(1);
    expect(delta(after, 'chat_messages_sent_total{kind="group"}')).toBe(1);
    expect(delta(after, 'chat_send_latency_seconds_count{outcome="ok"}')).toBe(2);
    expect(delta(after, 'chat_send_latency_seconds_sum{outcome="ok"}')).toBeGreaterThan(0);
    expect(delta(after, 'chat_send_batch_size_count')).toBe(2);
    expect(delta(after, 'chat_send_batch_size_sum')).toBe(2);
    // The direct push reaches Alice's and Bob's sockets, the group push all three members' sockets.
    expect(delta(after, 'chat_delivery_fan_out_sockets_count{event="message"}')).toBe(2);
    expect(delta(after, 'chat_delivery_fan_out_sockets_sum{event="message"}')).toBe(5);
  });

  it('counts a rejected send as an error outcome', async () => {
    const [aliceSocket] = sockets;
    const before = await scrape();

    const rejected = await emitAck(aliceSocket, 'message:send', { recipientID: '00000000-0000-4000-8000-000000000000', content: 'nobody' });
    expect(rejected.ok).toBe(false);

    const after = await scrape();
    const errors = (text: string) => sample(text, 'chat_send_latency_seconds_count{outcome="error"}') ?? 0;
    expect(errors(after) - errors(before)).toBe(1);
  });

  it('decrements the socket gauge on disconnect', async () => {
    const before = sample(await scrape(), 'chat_connected_sockets') ?? 0;

    sockets.pop()!.close();

    // The server learns of the close asynchronously, so poll until the gauge moves or 5 s pass.
    let now = before;
    for (let attempt = 0; attempt < 100 && now !== before - 1; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = sample(await scrape(), 'chat_connected_sockets') ?? 0;
    }
    expect(now).toBe(before - 1);
  });
});
