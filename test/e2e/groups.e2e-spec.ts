import { randomUUID } from 'node:crypto';
import { Socket } from 'socket.io-client';
import { startApp, TestApp } from '../support/app';
import { api, collect, connectSocket, emitAck, nextEvent, registerUser, TestUser } from '../support/clients';
import { describeEachDatabase } from '../support/databases';
import { seedMembers, seedUsers } from '../support/seed';

interface MemberEvent {
  groupID: string;
  userID: string;
}

describeEachDatabase('groups', (database) => {
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

  async function createGroup(owner: TestUser, members: TestUser[] = []): Promise<string> {
    const response = await api(app, owner)
      .post('/api/groups')
      .send({ name: 'Test group', memberIDs: members.map((member) => member.id) });
    expect(response.status).toBe(201);
    return response.body.id;
  }

  function sendToGroup(sender: TestUser, groupId: string, content: string) {
    return api(app, sender).post('/api/messages/send').send({ groupID: groupId, content });
  }

  /** Resolves once every event the server pushed to this socket before the call has arrived. */
  async function drain(socket: Socket): Promise<void> {
    expect((await emitAck(socket, 'ping')).data).toBe('pong');
  }

  async function memberCount(groupId: string): Promise<number> {
    const [row] = await app.dataSource.query('SELECT count(*)::int AS n FROM conversation_members WHERE conversation_id = $1', [groupId]);
    return row.n;
  }

  it('creates a group with the caller as owner', async () => {
    const [owner, alice, bob] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'ali'), registerUser(app, 'bob')]);

    const response = await api(app, owner)
      .post('/api/groups')
      .send({ name: '  Hikers  ', description: 'Routes', memberIDs: [alice.id, bob.id.toUpperCase(), alice.id.toUpperCase(), owner.id] });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'Hikers',
      description: 'Routes',
      createdBy: owner.id,
      members: expect.any(Array),
      createdAt: expect.any(String),
    });
    expect(response.body.members).toHaveLength(3);
    expect(response.body.members[0]).toEqual({
      id: owner.id,
      username: owner.username,
      role: 'owner',
      status: 'offline',
      joinedAt: expect.any(String),
    });
    const roles = Object.fromEntries(response.body.members.map((member: { id: string; role: string }) => [member.id, member.role]));
    expect(roles).toEqual({ [owner.id]: 'owner', [alice.id]: 'member', [bob.id]: 'member' });
  });

  it('stores the group conversation under the group id', async () => {
    const [owner, alice] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'ali')]);
    const groupId = await createGroup(owner, [alice]);

    const [conversation] = await app.dataSource.query('SELECT type, last_seq FROM conversations WHERE id = $1', [groupId]);
    const [group] = await app.dataSource.query('SELECT name, created_by FROM groups WHERE id = $1', [groupId]);

    expect(conversation).toEqual({ type: 'group', last_seq: '0' });
    expect(group).toEqual({ name: 'Test group', created_by: owner.id });
    expect(await memberCount(groupId)).toBe(2);
  });

  it('counts the name length in code points', async () => {
    const owner = await registerUser(app, 'emoji');
    const fifty = '🏔'.repeat(50);

    const accepted = await api(app, owner).post('/api/groups').send({ name: fifty });
    const rejected = await api(app, owner)
      .post('/api/groups')
      .send({ name: fifty + '🏔' });

    expect(accepted.status).toBe(201);
    expect(accepted.body.name).toBe(fifty);
    expect(rejected.status).toBe(400);
  });

  it.each([
    ['an empty name', { name: '   ' }, 'name'],
    ['a missing name', {}, 'name'],
    ['a description over 500 characters', { name: 'g', description: 'd'.repeat(501) }, 'description'],
    ['a member id that is not a UUID', { name: 'g', memberIDs: ['nope'] }, 'memberIDs'],
    ['an unknown field', { name: 'g', private: true }, 'private'],
  ])('rejects %s with VALIDATION_FAILED', async (_case, body, field) => {
    const owner = await registerUser(app, 'bad');
    const response = await api(app, owner).post('/api/groups').send(body);

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('VALIDATION_FAILED');
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toContain(field);
  });

  it('rejects more than 100 members with VALIDATION_FAILED', async () => {
    const owner = await registerUser(app, 'big');
    const memberIDs = Array.from({ length: 100 }, () => randomUUID());

    const response = await api(app, owner).post('/api/groups').send({ name: 'too big', memberIDs });

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('VALIDATION_FAILED');
    expect(response.body.details[0].field).toBe('memberIDs');
  });

  it('rejects unknown member ids with NOT_FOUND', async () => {
    const owner = await registerUser(app, 'unk');
    const unknown = randomUUID();

    const response = await api(app, owner)
      .post('/api/groups')
      .send({ name: 'ghosts', memberIDs: [unknown] });
    const mine = await api(app, owner).get('/api/groups');

    expect(response.status).toBe(404);
    expect(response.body.error).toBe('NOT_FOUND');
    expect(response.body.message).toContain(unknown);
    expect(mine.body).toEqual([]);
  });

  it('shows groups and members to members only', async () => {
    const [owner, alice, outsider] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'ali'), registerUser(app, 'out')]);
    const groupId = await createGroup(owner, [alice]);

    const mine = await api(app, alice).get('/api/groups');
    const theirs = await api(app, outsider).get('/api/groups');
    const visible = await api(app, alice).get(`/api/groups/${groupId}`);
    const members = await api(app, alice).get(`/api/groups/${groupId}/members`);
    const hidden = await api(app, outsider).get(`/api/groups/${groupId}`);
    const hiddenMembers = await api(app, outsider).get(`/api/groups/${groupId}/members`);

    expect(mine.body.map((group: { id: string }) => group.id)).toEqual([groupId]);
    expect(theirs.body).toEqual([]);
    expect(visible.status).toBe(200);
    expect(visible.body.members).toHaveLength(2);
    expect(members.status).toBe(200);
    expect(members.body).toEqual([
      { id: owner.id, username: owner.username, role: 'owner', status: 'offline', joinedAt: expect.any(String) },
      { id: alice.id, username: alice.username, role: 'member', status: 'offline', joinedAt: expect.any(String) },
    ]);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toBe('NOT_FOUND');
    expect(hiddenMembers.status).toBe(404);
  });

  it('rejects unknown and malformed group ids', async () => {
    const user = await registerUser(app, 'nf');
    const unknown = randomUUID();

    const join = await api(app, user).post(`/api/groups/${unknown}/join`);
    const leave = await api(app, user).delete(`/api/groups/${unknown}/leave`);
    const badId = await api(app, user).get('/api/groups/not-a-uuid');

    expect(join.status).toBe(404);
    expect(leave.status).toBe(404);
    expect(badId.status).toBe(400);
    expect(badId.body.error).toBe('VALIDATION_FAILED');
  });

  it('treats a second join as a no-op', async () => {
    const [owner, joiner] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'join')]);
    const groupId = await createGroup(owner);
    const ownerSocket = await connect(owner);
    const joined = collect<MemberEvent>(ownerSocket, 'group:member-joined');

    const first = await api(app, joiner).post(`/api/groups/${groupId}/join`);
    const second = await api(app, joiner).post(`/api/groups/${groupId}/join`);
    await drain(ownerSocket);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.members).toEqual(first.body.members);
    expect(await memberCount(groupId)).toBe(2);
    expect(joined).toEqual([{ groupID: groupId, userID: joiner.id }]);
  });

  it('tells members about joins and leaves', async () => {
    const [owner, alice, joiner] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'ali'), registerUser(app, 'join')]);
    const groupId = await createGroup(owner, [alice]);
    const aliceSocket = await connect(alice);
    const joinerSocket = await connect(joiner);

    const joinedSeenByAlice = nextEvent<MemberEvent>(aliceSocket, 'group:member-joined');
    const joinedSeenByJoiner = nextEvent<MemberEvent>(joinerSocket, 'group:member-joined');
    await api(app, joiner).post(`/api/groups/${groupId}/join`);

    expect(await joinedSeenByAlice).toEqual({ groupID: groupId, userID: joiner.id });
    expect(await joinedSeenByJoiner).toEqual({ groupID: groupId, userID: joiner.id });

    const leftSeenByAlice = nextEvent<MemberEvent>(aliceSocket, 'group:member-left');
    const response = await api(app, joiner).delete(`/api/groups/${groupId}/leave`);

    expect(response.status).toBe(204);
    expect(await leftSeenByAlice).toEqual({ groupID: groupId, userID: joiner.id });
  });

  it('delivers to every socket of every member', async () => {
    const [owner, alice, bob, outsider] = await Promise.all([
      registerUser(app, 'own'),
      registerUser(app, 'ali'),
      registerUser(app, 'bob'),
      registerUser(app, 'out'),
    ]);
    // Alice's sockets exist before the group; bob's connect after it and join its room on connect.
    const aliceSockets = [await connect(alice), await connect(alice)];
    const groupId = await createGroup(owner, [alice, bob]);
    const ownerSocket = await connect(owner);
    const bobSocket = await connect(bob);
    const outsiderSocket = await connect(outsider);
    const outsiderReceived = collect(outsiderSocket, 'message');

    const receivers = [ownerSocket, ...aliceSockets, bobSocket];
    const pending = receivers.map((socket) => nextEvent(socket, 'message', (message: { groupID?: string }) => message.groupID === groupId));
    const ack = await emitAck(ownerSocket, 'message:send', { groupID: groupId, content: 'hello all' });

    expect(ack.ok).toBe(true);
    for (const message of await Promise.all(pending)) {
      expect(message).toMatchObject({ groupID: groupId, seq: 1, senderID: owner.id, content: 'hello all' });
    }
    await drain(outsiderSocket);
    expect(outsiderReceived).toEqual([]);
  });

  it('rejects sends and history from a non-member', async () => {
    const [owner, outsider] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'out')]);
    const groupId = await createGroup(owner);
    const outsiderSocket = await connect(outsider);

    const restSend = await sendToGroup(outsider, groupId, 'let me in');
    const socketSend = await emitAck(outsiderSocket, 'message:send', { groupID: groupId, content: 'let me in' });
    const history = await api(app, outsider).get(`/api/messages/history/${groupId}`);

    expect(restSend.status).toBe(404);
    expect(restSend.body.error).toBe('NOT_FOUND');
    expect(socketSend.ok).toBe(false);
    expect(socketSend.error?.error).toBe('NOT_FOUND');
    expect(history.status).toBe(404);
  });

  it('moves joiner sockets into the room', async () => {
    const [owner, joiner] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'join')]);
    const groupId = await createGroup(owner);
    const joinerSocket = await connect(joiner);

    await api(app, joiner).post(`/api/groups/${groupId}/join`);
    const received = nextEvent(joinerSocket, 'message', (message: { groupID?: string }) => message.groupID === groupId);
    await sendToGroup(owner, groupId, 'welcome');

    expect(await received).toMatchObject({ groupID: groupId, content: 'welcome' });
  });

  it('starts a joiner at the current seq', async () => {
    const [owner, joiner] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'join')]);
    const groupId = await createGroup(owner);
    for (const content of ['one', 'two', 'three']) await sendToGroup(owner, groupId, content);

    await api(app, joiner).post(`/api/groups/${groupId}/join`);
    const [watermarks] = await app.dataSource.query(
      'SELECT last_delivered_seq, last_read_seq FROM conversation_members WHERE conversation_id = $1 AND user_id = $2',
      [groupId, joiner.id],
    );
    const unread = await api(app, joiner).get('/api/messages/unread');
    const sync = await api(app, joiner).get('/api/messages/sync');
    const history = await api(app, joiner).get(`/api/messages/history/${groupId}`);

    expect(watermarks).toEqual({ last_delivered_seq: '3', last_read_seq: '3' });
    expect(unread.body).toEqual({ total: 0, conversations: [] });
    expect(sync.body).toEqual({ conversations: [] });
    expect(history.status).toBe(200);
    expect(history.body.messages.map((message: { content: string }) => message.content)).toEqual(['one', 'two', 'three']);
  });

  it('stops delivering to a member who left', async () => {
    const [owner, alice, bob] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'ali'), registerUser(app, 'bob')]);
    const groupId = await createGroup(owner, [alice, bob]);
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);

    const leftSeenByAlice = nextEvent<MemberEvent>(aliceSocket, 'group:member-left');
    const left = await api(app, alice).delete(`/api/groups/${groupId}/leave`);
    expect(left.status).toBe(204);
    expect(await leftSeenByAlice).toEqual({ groupID: groupId, userID: alice.id });

    const aliceReceived = collect(aliceSocket, 'message');
    const bobReceived = nextEvent(bobSocket, 'message', (message: { groupID?: string }) => message.groupID === groupId);
    await sendToGroup(owner, groupId, 'after alice left');
    await bobReceived;
    await drain(aliceSocket);

    const history = await api(app, alice).get(`/api/messages/history/${groupId}`);
    const send = await sendToGroup(alice, groupId, 'still here?');
    const group = await api(app, alice).get(`/api/groups/${groupId}`);
    const leaveAgain = await api(app, alice).delete(`/api/groups/${groupId}/leave`);

    expect(aliceReceived).toEqual([]);
    expect(history.status).toBe(404);
    expect(history.body.error).toBe('NOT_FOUND');
    expect(send.status).toBe(404);
    expect(group.status).toBe(404);
    expect(leaveAgain.status).toBe(404);
  });

  it('passes ownership to the longest-standing member', async () => {
    const owner = await registerUser(app, 'own');
    const pair = await Promise.all([registerUser(app, 'm'), registerUser(app, 'm')]);
    // The earlier joiner has the greater id, so ordering by id would pick the other one.
    const [earlier, later] = pair.sort((a, b) => (a.id < b.id ? 1 : -1));
    const groupId = await createGroup(owner);
    await api(app, earlier).post(`/api/groups/${groupId}/join`);
    await api(app, later).post(`/api/groups/${groupId}/join`);

    await api(app, owner).delete(`/api/groups/${groupId}/leave`);
    const afterOwnerLeft = await api(app, later).get(`/api/groups/${groupId}/members`);
    await api(app, earlier).delete(`/api/groups/${groupId}/leave`);
    const afterNextOwnerLeft = await api(app, later).get(`/api/groups/${groupId}/members`);

    expect(afterOwnerLeft.body.map((member: { id: string; role: string }) => [member.id, member.role])).toEqual([
      [earlier.id, 'owner'],
      [later.id, 'member'],
    ]);
    expect(afterNextOwnerLeft.body).toEqual([expect.objectContaining({ id: later.id, role: 'owner' })]);
  });

  it('keeps an emptied group joinable', async () => {
    const [owner, newcomer] = await Promise.all([registerUser(app, 'own'), registerUser(app, 'new')]);
    const groupId = await createGroup(owner);

    const left = await api(app, owner).delete(`/api/groups/${groupId}/leave`);
    const [stored] = await app.dataSource.query('SELECT count(*)::int AS n FROM groups WHERE id = $1', [groupId]);
    const joined = await api(app, newcomer).post(`/api/groups/${groupId}/join`);

    expect(left.status).toBe(204);
    expect(stored.n).toBe(1);
    expect(await memberCount(groupId)).toBe(1);
    expect(joined.status).toBe(200);
    expect(joined.body.members).toEqual([expect.objectContaining({ id: newcomer.id, role: 'owner' })]);
  });

  it('rejects concurrent joins past 100 with GROUP_FULL', async () => {
    const owner = await registerUser(app, 'full');
    const groupId = await createGroup(owner);
    await seedMembers(
      app,
      groupId,
      (await seedUsers(app, 97)).map((user) => user.id),
    );
    const joiners = await seedUsers(app, 12);
    expect(await memberCount(groupId)).toBe(98);

    const responses = await Promise.all(joiners.map((joiner) => api(app, joiner).post(`/api/groups/${groupId}/join`)));
    const statuses = responses.map((response) => response.status).sort();
    const refused = responses.filter((response) => response.status === 409);

    expect(statuses).toEqual([200, 200, ...Array(10).fill(409)]);
    for (const response of refused) {
      expect(response.body.code).toBe(409);
      expect(response.body.error).toBe('GROUP_FULL');
    }
    expect(await memberCount(groupId)).toBe(100);
  });
});
