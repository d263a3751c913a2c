import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import { api } from '../support/clients';
import { ChaosClient, HeldMessage } from '../support/chaos-client';
import { Instance, startInstance } from '../support/cluster';
import { CLUSTER_KEY_PREFIX, clusterEnv, deleteRedisKeys, describeScaleOut } from '../support/scale-out';

const CLIENTS = 200;
const MESSAGES = 5000;
const env = clusterEnv({ MESSAGE_RATE_LIMIT: '100000' });

/**
 * Insert users, and a session for each, straight into the database: hashing 200 passwords through
 * the API would take most of the test's time. Returns [user id, session id] pairs.
 */
async function seedUsers(count: number): Promise<[string, string][]> {
  const db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await db.connect();
  try {
    const tag = Date.now().toString(36);
    const rows = await db.query<{ user_id: string; id: string }>(
      `WITH created AS (
         INSERT INTO users (username, email, password_hash)
         SELECT 'chaos' || $1 || '_' || i, 'chaos' || $1 || '_' || i || '@example.test', 'not-a-login-account'
         FROM generate_series(1, $2) AS i RETURNING id
       )
       INSERT INTO sessions (user_id, refresh_token_hash, expires_at)
       SELECT id, repeat('0', 64), now() + interval '1 hour' FROM created RETURNING user_id, id`,
      [tag, count],
    );
    return rows.rows.map((row) => [row.user_id, row.id]);
  } finally {
    await db.end();
  }
}

/** Fetch every message of a conversation after `after`, page by page. */
async function historyAfter(instance: Instance, client: ChaosClient, conversationID: string, after: number): Promise<HeldMessage[]> {
  const messages: HeldMessage[] = [];
  for (;;) {
    const page = await api(instance, { token: client.token } as never).get(
      `/api/messages/history/${conversationID}?after=${after}&limit=100`,
    );
    messages.push(...page.body.messages);
    if (!page.body.hasMore) return messages;
    after = page.body.messages.at(-1).seq;
  }
}

describeScaleOut('chaos', () => {
  let first: Instance;
  let second: Instance;
  let clients: ChaosClient[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([startInstance(env), startInstance(env)]);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([first?.stop(), second?.stop()]);
    await deleteRedisKeys(process.env.REDIS_URL!, CLUSTER_KEY_PREFIX);
  });

  it('loses, duplicates and reorders nothing when an instance is killed', async () => {
    const seeded = await seedUsers(CLIENTS);
    const userIds = seeded.map(([id]) => id);
    clients = seeded.map(([id, sessionId], i) => {
      const token = jwt.sign({ sub: id, sid: sessionId }, env.JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600 });
      const urls = i % 2 === 0 ? [first.url, second.url] : [second.url, first.url];
      return new ChaosClient(id, token, urls);
    });
    await Promise.all(clients.map((client) => client.connected()));

    // Each client sends MESSAGES / CLIENTS messages, one after another, to its neighbours at
    // distance 1 and 2 on both sides, so each conversation has two concurrent senders.
    const perClient = MESSAGES / CLIENTS;
    let sent = 0;
    let killed = false;
    const acknowledged: HeldMessage[] = [];
    const secondPort = second.port;
    let restart: Promise<void> | undefined;

    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; n < perClient; n++) {
          const offset = [1, -1, 2, -2][n % 4];
          const peer = clients[(i + offset + CLIENTS) % CLIENTS];
          const message = await client.send({ recipientID: peer.userId, content: `chaos ${i}/${n}`, clientMessageId: `chaos-${i}-${n}` });
          acknowledged.push(message);
          sent += 1;
          if (!killed && sent >= MESSAGES * 0.4) {
            killed = true;
            second.child.kill('SIGKILL');
            restart = (async () => {
              await second.stop();
              second = await startInstance(env, secondPort);
            })();
          }
        }
      }),
    );
    await restart;

    // Catch-up: every client reconnects, syncs, then fills any gap from history, 20 clients at a time.
    const catchUp = async (client: ChaosClient) => {
      await client.connected();
      const sync = await api(first, { token: client.token } as never).get('/api/messages/sync?limit=100');
      for (const conversation of sync.body.conversations) for (const message of conversation.messages) client.hold(message);
      const conversations = new Set([...client.held.values()].map((message) => message.conversationID));
      for (const conversationID of conversations) {
        const known = [...client.held.values()]
          .filter((message) => message.conversationID === conversationID)
          .map((message) => message.seq);
        const contiguous = known.sort((a, b) => a - b).findIndex((seq, index) => seq !== index + 1);
        const after = contiguous === -1 ? known.length : contiguous;
        for (const message of await historyAfter(first, client, conversationID, after)) client.hold(message);
      }
    };
    for (let start = 0; start < clients.length; start += 20) await Promise.all(clients.slice(start, start + 20).map(catchUp));

    const db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    const stored = await db.query<{ id: string; conversation_id: string; seq: string; sender_id: string; client_message_id: string }>(
      `SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.client_message_id FROM messages m
       WHERE m.sender_id = ANY($1::uuid[]) ORDER BY m.conversation_id, m.seq`,
      [userIds],
    );
    const lastSeqs = await db.query<{ id: string; last_seq: string; count: string; max: string }>(
      `SELECT c.id, c.last_seq, count(m.id), max(m.seq) FROM conversations c JOIN messages m ON m.conversation_id = c.id
       WHERE m.sender_id = ANY($1::uuid[]) GROUP BY c.id`,
      [userIds],
    );
    const memberships = await db.query<{ conversation_id: string; user_id: string }>(
      'SELECT conversation_id, user_id FROM conversation_members WHERE user_id = ANY($1::uuid[])',
      [userIds],
    );
    await db.end();

    const storedIds = new Set(stored.rows.map((row) => row.id));
    const acknowledgedIds = new Set(acknowledged.map((message) => message.id));
    const gappy = lastSeqs.rows.filter((row) => row.last_seq !== row.count || row.max !== row.last_seq);
    const conversationsOf = new Map<string, Set<string>>();
    for (const row of memberships.rows) {
      const set = conversationsOf.get(row.user_id) ?? new Set<string>();
      set.add(row.conversation_id);
      conversationsOf.set(row.user_id, set);
    }

    let missing = 0;
    let unexpected = 0;
    let outOfOrder = 0;
    for (const client of clients) {
      const held = [...client.held.values()];
      const mine = conversationsOf.get(client.userId) ?? new Set<string>();
      const expected = stored.rows.filter((row) => mine.has(row.conversation_id));
      const heldIds = new Set(held.map((message) => message.id));
      missing += expected.filter((row) => !heldIds.has(row.id)).length;
      unexpected += held.filter((message) => !storedIds.has(message.id)).length;
      const byConversation = new Map<string, number[]>();
      for (const message of held)
        byConversation.set(message.conversationID, [...(byConversation.get(message.conversationID) ?? []), message.seq]);
      for (const seqs of byConversation.values()) {
        seqs.sort((a, b) => a - b);
        if (seqs.some((seq, index) => seq !== index + 1)) outOfOrder += 1;
      }
    }

    const counts = {
      acknowledged: acknowledged.length,
      distinctAcknowledged: acknowledgedIds.size,
      stored: stored.rows.length,
      conversations: lastSeqs.rows.length,
      conversationsWithGaps: gappy.length,
      retries: clients.reduce((sum, client) => sum + client.retries, 0),
      missing,
      unexpected,
      conversationsOutOfOrder: outOfOrder,
    };
    console.log(`chaos checker: ${JSON.stringify(counts)}`);

    expect(counts.acknowledged).toBe(MESSAGES);
    expect(counts.distinctAcknowledged).toBe(MESSAGES);
    expect(counts.stored).toBe(MESSAGES);
    expect([...acknowledgedIds].every((id) => storedIds.has(id))).toBe(true);
    expect(counts.conversationsWithGaps).toBe(0);
    expect(counts.missing).toBe(0);
    expect(counts.unexpected).toBe(0);
    expect(counts.conversationsOutOfOrder).toBe(0);
  }, 180_000);
});
