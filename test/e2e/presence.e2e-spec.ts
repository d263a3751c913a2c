import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { describeEachDatabase } from '../support/databases';
import { api, collect, connectSocket, emitAck, registerUser, TestUser, waitFor } from '../support/clients';

interface PresenceEvent {
  userID: string;
  status: 'online' | 'away' | 'offline';
  lastSeen: string | null;
}

const GRACE_MS = 300;
const PING_INTERVAL_MS = 300;
const PING_TIMEOUT_MS = 200;
const PRESENCE_ENV = {
  PRESENCE_GRACE_MS: String(GRACE_MS),
  SOCKET_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
  SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Make a connected client behave like one whose network vanished: it sends no pong for the
 * server's pings and no longer closes the connection on its own ping timeout. Reaches into engine.io-client 6.6
 * internals (_sendPacket, _resetPingTimeout, _pingTimeoutTimer), because no public option
 * turns the heartbeat off.
 */
function stopAnsweringPings(socket: Socket): void {
  const engine = socket.io.engine as unknown as {
    _sendPacket: (type: string, ...rest: unknown[]) => void;
    _resetPingTimeout: () => void;
    _pingTimeoutTimer: NodeJS.Timeout;
  };
  const send = engine._sendPacket.bind(engine);
  engine._sendPacket = (type, ...rest) => {
    if (type !== 'pong') send(type, ...rest);
  };
  engine._resetPingTimeout = () => undefined;
  clearTimeout(engine._pingTimeoutTimer);
}

describeEachDatabase('presence', (database) => {
  let app: TestApp;
  const sockets: Socket[] = [];

  const connect = async (user: TestUser) => {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  };

  /** Register a user, a contact who shares a direct conversation with them and a stranger, and connect the last two. */
  const meetContacts = async () => {
    const user = await registerUser(app, 'subj');
    const contact = await registerUser(app, 'contact');
    const stranger = await registerUser(app, 'strange');
    const sent = await api(app, contact).post('/api/messages/send').send({ recipientID: user.id, content: 'hello' });
    expect(sent.status).toBe(201);

    const contactSocket = await connect(contact);
    const strangerSocket = await connect(stranger);
    const aboutUser = (socket: Socket) => {
      const events = collect<PresenceEvent>(socket, 'presence');
      return { events, of: () => events.filter((event) => event.userID === user.id) };
    };
    return { user, contact, seenByContact: aboutUser(contactSocket), seenByStranger: aboutUser(strangerSocket) };
  };

  beforeAll(async () => {
    app = await startApp({ database, env: PRESENCE_ENV });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await app.close();
  });

  it('keeps a user online until the last of two tabs closes', async () => {
    const { user, contact, seenByContact, seenByStranger } = await meetContacts();

    const firstTab = await connect(user);
    await waitFor(() => seenByContact.of().length === 1, 5000, 'online event');
    const secondTab = await connect(user);
    firstTab.close();
    await sleep(GRACE_MS + 300);

    const whileOneTabOpen = await api(app, contact).get(`/api/users/${user.id}/status`);
    expect(whileOneTabOpen.body.status).toBe('online');

    const closedAt = Date.now();
    secondTab.close();
    await waitFor(() => seenByContact.of().length === 2, 5000, 'offline event');
    const offlineAfterMs = Date.now() - closedAt;
    await sleep(200);

    const [online, offline] = seenByContact.of();
    expect(seenByContact.of()).toHaveLength(2);
    expect(online.status).toBe('online');
    expect(offline.status).toBe('offline');
    expect(offline.lastSeen).not.toBeNull();
    expect(offlineAfterMs).toBeGreaterThanOrEqual(GRACE_MS - 20);
    expect(seenByStranger.of()).toEqual([]);

    const status = await api(app, contact).get(`/api/users/${user.id}/status`);
    expect(status.body).toEqual({ userID: user.id, status: 'offline', lastSeen: offline.lastSeen });
    const [stored] = await app.dataSource.query('SELECT last_seen_at FROM users WHERE id = $1', [user.id]);
    expect(new Date(stored.last_seen_at).toISOString()).toBe(offline.lastSeen);
  });

  it('agrees with the peer status of GET /api/conversations', async () => {
    const { user, contact, seenByContact } = await meetContacts();
    const peerStatus = async () => {
      const list = await api(app, contact).get('/api/conversations');
      return list.body.find((conversation: { peer?: { userID: string } }) => conversation.peer?.userID === user.id).peer;
    };

    const tab = await connect(user);
    await waitFor(() => seenByContact.of().length === 1, 5000, 'online event');
    const [online] = seenByContact.of();
    expect(await peerStatus()).toMatchObject({ status: 'online', lastSeen: online.lastSeen });

    tab.close();
    await waitFor(() => seenByContact.of().length === 2, 5000, 'offline event');
    const offline = seenByContact.of()[1];
    expect(await peerStatus()).toMatchObject({ status: 'offline', lastSeen: offline.lastSeen });
  });

  it('sends no event for a reload within the grace period', async () => {
    const { user, seenByContact } = await meetContacts();

    const before = await connect(user);
    await waitFor(() => seenByContact.of().length === 1, 5000, 'online event');
    before.close();
    await sleep(50);
    await connect(user);
    await sleep(GRACE_MS + 300);

    expect(seenByContact.of().map((event) => event.status)).toEqual(['online']);
  });

  it('reports away once every tab is away', async () => {
    const { user, contact, seenByContact } = await meetContacts();
    const phone = await connect(user);
    const laptop = await connect(user);
    await waitFor(() => seenByContact.of().length === 1, 5000, 'online event');

    const phoneAway = await emitAck(phone, 'presence:set', { status: 'away' });
    expect(phoneAway).toEqual({ ok: true, data: expect.objectContaining({ userID: user.id, status: 'online' }) });

    const laptopAway = await emitAck(laptop, 'presence:set', { status: 'away' });
    expect(laptopAway.data.status).toBe('away');
    await waitFor(() => seenByContact.of().length === 2, 5000, 'away event');
    expect(seenByContact.of()[1].status).toBe('away');
    expect((await api(app, contact).get(`/api/users/${user.id}/status`)).body.status).toBe('away');

    await emitAck(phone, 'presence:set', { status: 'online' });
    await waitFor(() => seenByContact.of().length === 3, 5000, 'online event');
    expect(seenByContact.of().map((event) => event.status)).toEqual(['online', 'away', 'online']);
  });

  it('rejects an unknown presence status', async () => {
    const user = await registerUser(app, 'badst');
    const socket = await connect(user);

    const ack = await emitAck(socket, 'presence:set', { status: 'busy' });

    expect(ack.ok).toBe(false);
    expect(ack.error?.error).toBe('VALIDATION_FAILED');
    expect(ack.error?.details?.[0].field).toBe('status');
  });

  it('drops a client that stops answering pings', async () => {
    const { user, seenByContact } = await meetContacts();
    const tab = await connect(user);
    await waitFor(() => seenByContact.of().length === 1, 5000, 'online event');

    const disconnectReason = new Promise<string>((resolve) => tab.once('disconnect', resolve));
    const vanishedAt = Date.now();
    stopAnsweringPings(tab);
    const bound = PING_INTERVAL_MS + PING_TIMEOUT_MS + GRACE_MS;
    await waitFor(() => seenByContact.of().length === 2, bound + 2000, 'offline event');
    const offlineAfterMs = Date.now() - vanishedAt;

    expect(seenByContact.of()[1].status).toBe('offline');
    expect(offlineAfterMs).toBeLessThanOrEqual(bound + 500);
    // The server closed the connection; a client that gave up by itself would report "ping timeout".
    expect(await disconnectReason).toBe('transport close');
  });
});

/** One application with a short idle timeout, restarted by the last test. */
describeEachDatabase('presence idle and restart', (database) => {
  const dataDir = database === 'pglite' ? mkdtempSync(join(tmpdir(), 'chat-presence-')) : undefined;
  let app: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startApp({ database, dataDir, env: { ...PRESENCE_ENV, PRESENCE_IDLE_MS: '1000' } });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns a silent tab away and an event brings it back', async () => {
    const user = await registerUser(app, 'idle');
    const contact = await registerUser(app, 'idlec');
    await api(app, user).post('/api/messages/send').send({ recipientID: contact.id, content: 'hello' });
    const contactSocket = await connectSocket(app, contact.token);
    sockets.push(contactSocket);
    const events = collect<PresenceEvent>(contactSocket, 'presence');
    const ofUser = () => events.filter((event) => event.userID === user.id).map((event) => event.status);

    const connectedAt = Date.now();
    const tab = await connectSocket(app, user.token);
    sockets.push(tab);
    await waitFor(() => ofUser().length === 2, 5000, 'away event');
    const awayAfterMs = Date.now() - connectedAt;

    expect(ofUser()).toEqual(['online', 'away']);
    expect(awayAfterMs).toBeGreaterThanOrEqual(950);

    await emitAck(tab, 'ping');
    await waitFor(() => ofUser().length === 3, 5000, 'online event');
    expect(ofUser()).toEqual(['online', 'away', 'online']);
  });

  it('starts with everyone offline and keeps lastSeen', async () => {
    const user = await registerUser(app, 'restart');
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    expect((await api(app, user).get(`/api/users/${user.id}/status`)).body.status).toBe('online');

    await app.close();
    app = await startApp({ database, dataDir, env: PRESENCE_ENV });
    // The signing secret is generated per start, so the caller is a user of the second run.
    const caller = await registerUser(app, 'caller');
    const status = await api(app, caller).get(`/api/users/${user.id}/status`);

    expect(status.body.status).toBe('offline');
    expect(status.body.lastSeen).not.toBeNull();
  });
});
