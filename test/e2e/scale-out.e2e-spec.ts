import { Socket } from 'socket.io-client';
import { clusterEnv, describeScaleOut } from '../support/scale-out';
import { startInstance, Instance } from '../support/cluster';
import { api, connectSocket, emitAck, nextEvent, registerUser } from '../support/clients';

describeScaleOut('scale-out', () => {
  let first: Instance;
  let second: Instance;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([startInstance(clusterEnv()), startInstance(clusterEnv())]);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('pushes a direct message across instances', async () => {
    const alice = await registerUser(first, 'alice');
    const bob = await registerUser(second, 'bob');
    const bobSocket = await connectSocket(second, bob.token);
    const aliceOther = await connectSocket(second, alice.token);
    sockets.push(bobSocket, aliceOther);

    const arrivals = [nextEvent(bobSocket, 'message'), nextEvent(aliceOther, 'message')];
    const sent = await api(first, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'across instances' });

    expect(sent.status).toBe(201);
    for (const pushed of await Promise.all(arrivals)) expect(pushed).toEqual(sent.body);
  });

  it('shares the message rate limit across instances', async () => {
    const sender = await registerUser(first, 'rate');
    const peer = await registerUser(first, 'peer');
    const socket = await connectSocket(second, sender.token);
    sockets.push(socket);
    const body = (i: number) => ({ recipientID: peer.id, content: `m${i}` });

    for (let i = 0; i < 60; i++) {
      const response = await api(first, sender).post('/api/messages/send').send(body(i));
      expect(response.status).toBe(201);
    }
    for (let i = 60; i < 100; i++) {
      const ack = await emitAck(socket, 'message:send', body(i));
      expect(ack.ok).toBe(true);
    }
    const last = await emitAck(socket, 'message:send', body(100));

    expect(last.ok).toBe(false);
    expect(last.error?.error).toBe('RATE_LIMITED');
  });

  it('reports Redis in the health check', async () => {
    const health = (await fetch(`${first.url}/health`).then((response) => response.json())) as { details: Record<string, unknown> };

    expect(health.details.redis).toMatchObject({ status: 'up', mode: 'multi-instance', connected: true });
  });
});
