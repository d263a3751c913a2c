import { Socket } from 'socket.io-client';
import { QueryCounter } from '../../src/database/query-counter';
import { startApp, TestApp } from '../support/app';
import { api, connectSocket, emitAck, registerUser, TestUser } from '../support/clients';
import { describeEachDatabase } from '../support/databases';
import { seedGroupsWithMessages, seedUsers } from '../support/seed';

interface SyncedMessage {
  id: string;
  seq: number;
  content: string;
}

interface SyncBody {
  conversations: { conversationID: string; messages: SyncedMessage[]; hasMore: boolean }[];
}

describeEachDatabase('sync', (database) => {
  let app: TestApp;
  let sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startApp({ database });
  });

  afterEach(() => {
    for (const socket of sockets) socket.close();
    sockets = [];
  });

  afterAll(async () => {
    await app.close();
  });

  async function connect(user: TestUser): Promise<Socket> {
    const socket = await connectSocket(app, user.token);
    sockets.push(socket);
    return socket;
  }

  async function syncOverSocket(socket: Socket, payload?: unknown): Promise<SyncBody> {
    const ack = await emitAck<SyncBody>(socket, 'sync', payload);
    if (!ack.ok) throw new Error(`sync failed: ${JSON.stringify(ack.error)}`);
    return ack.data!;
  }

  /** Confirm delivery of everything a sync returned, one message:delivered per conversation. */
  async function acknowledge(socket: Socket, body: SyncBody): Promise<void> {
    for (const conversation of body.conversations) {
      const last = conversation.messages[conversation.messages.length - 1];
      const ack = await emitAck(socket, 'message:delivered', { conversationID: conversation.conversationID, seq: last.seq });
      expect(ack.ok).toBe(true);
    }
  }

  function send(sender: TestUser, target: { groupID: string } | { recipientID: string }, content: string) {
    return api(app, sender)
      .post('/api/messages/send')
      .send({ ...target, content });
  }

  it('returns exactly the messages missed offline', async () => {
    const [member, first, second] = await Promise.all([registerUser(app, 'mem'), registerUser(app, 'one'), registerUser(app, 'two')]);
    const groupA = (
      await api(app, first)
        .post('/api/groups')
        .send({ name: 'A', memberIDs: [member.id, second.id] })
    ).body.id;
    const groupB = (
      await api(app, second)
        .post('/api/groups')
        .send({ name: 'B', memberIDs: [member.id] })
    ).body.id;
    const targets: [TestUser, { groupID: string } | { recipientID: string }][] = [
      [first, { groupID: groupA }],
      [second, { groupID: groupB }],
      [first, { recipientID: member.id }],
    ];

    // Two earlier messages per conversation, received and confirmed before going offline.
    for (const [sender, target] of targets) {
      for (const content of ['early 1', 'early 2']) await send(sender, target, content);
    }
    const online = await connect(member);
    const before = await syncOverSocket(online, {});
    expect(before.conversations).toHaveLength(3);
    await acknowledge(online, before);
    online.close();

    const sent = new Map<string, string[]>();
    await Promise.all(
      targets.map(async ([sender, target], index) => {
        for (let i = 1; i <= 10; i++) {
          const response = await send(sender, target, `offline ${index}.${i}`);
          expect(response.status).toBe(201);
          sent.set(response.body.conversationID, [...(sent.get(response.body.conversationID) ?? []), response.body.content]);
        }
      }),
    );

    const reconnected = await connect(member);
    const caughtUp = await syncOverSocket(reconnected, {});
    const overRest = await api(app, member).get('/api/messages/sync');

    expect(caughtUp.conversations).toHaveLength(3);
    for (const conversation of caughtUp.conversations) {
      expect(conversation.hasMore).toBe(false);
      expect(conversation.messages.map((message) => message.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(conversation.messages.map((message) => message.content)).toEqual(sent.get(conversation.conversationID));
    }
    const ids = caughtUp.conversations.flatMap((conversation) => conversation.messages.map((message) => message.id));
    expect(new Set(ids).size).toBe(30);
    expect(overRest.status).toBe(200);
    expect(overRest.body).toEqual(caughtUp);

    await acknowledge(reconnected, caughtUp);
    expect(await syncOverSocket(reconnected, {})).toEqual({ conversations: [] });
  });

  it('pages with hasMore beyond the limit', async () => {
    const [member, sender] = await Promise.all([registerUser(app, 'mem'), registerUser(app, 'snd')]);
    for (let i = 1; i <= 5; i++) await send(sender, { recipientID: member.id }, `m${i}`);
    const socket = await connect(member);

    const firstPage = await syncOverSocket(socket, { limit: 2 });
    await acknowledge(socket, firstPage);
    const secondPage = await syncOverSocket(socket, { limit: 2 });
    await acknowledge(socket, secondPage);
    const lastPage = await syncOverSocket(socket);

    const seqs = (body: SyncBody) => body.conversations.map((conversation) => conversation.messages.map((message) => message.seq));
    expect(seqs(firstPage)).toEqual([[1, 2]]);
    expect(firstPage.conversations[0].hasMore).toBe(true);
    expect(seqs(secondPage)).toEqual([[3, 4]]);
    expect(secondPage.conversations[0].hasMore).toBe(true);
    expect(seqs(lastPage)).toEqual([[5]]);
    expect(lastPage.conversations[0].hasMore).toBe(false);
  });

  it("leaves out the caller's own messages", async () => {
    const [sender, recipient] = await Promise.all([registerUser(app, 'snd'), registerUser(app, 'rcp')]);
    await send(sender, { recipientID: recipient.id }, 'mine');

    const own = await api(app, sender).get('/api/messages/sync');
    const theirs = await api(app, recipient).get('/api/messages/sync');

    expect(own.body).toEqual({ conversations: [] });
    expect(theirs.body.conversations).toHaveLength(1);
  });

  it.each(['0', '101', 'ten'])('rejects limit=%s over REST', async (limit) => {
    const user = await registerUser(app, 'lim');
    const response = await api(app, user).get(`/api/messages/sync?limit=${limit}`);

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('VALIDATION_FAILED');
    expect(response.body.details[0].field).toBe('limit');
  });

  it.each([
    ['limit 0', { limit: 0 }],
    ['an unknown field', { limit: 5, since: 1 }],
  ])('rejects a socket sync with %s', async (_case, payload) => {
    const user = await registerUser(app, 'lim');
    const socket = await connect(user);

    const ack = await emitAck(socket, 'sync', payload);

    expect(ack.ok).toBe(false);
    expect(ack.error?.error).toBe('VALIDATION_FAILED');
  });

  it('syncs in constant queries', async () => {
    const [few, many, sender] = await seedUsers(app, 3);
    await seedGroupsWithMessages(app, few.id, sender.id, 2, 3);
    await seedGroupsWithMessages(app, many.id, sender.id, 200, 3);
    const counter = app.app.get(QueryCounter);

    const beforeFew = counter.queries;
    const fewResponse = await api(app, few).get('/api/messages/sync');
    const fewQueries = counter.queries - beforeFew;
    const beforeMany = counter.queries;
    const manyResponse = await api(app, many).get('/api/messages/sync');
    const manyQueries = counter.queries - beforeMany;

    expect(fewResponse.body.conversations).toHaveLength(2);
    expect(manyResponse.body.conversations).toHaveLength(200);
    for (const conversation of manyResponse.body.conversations) {
      expect(conversation.messages.map((message: SyncedMessage) => message.seq)).toEqual([1, 2, 3]);
    }
    expect(fewQueries).toBeGreaterThan(0);
    expect(manyQueries).toBe(fewQueries);
  });
});
