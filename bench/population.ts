import { randomBytes, randomUUID } from 'node:crypto';
import { BenchDatabase } from './database';

/** Partners of each user in seeded direct conversations: user i talks to users i+1 .. i+DIRECT_PARTNERS. */
export const DIRECT_PARTNERS = 3;

/** Rows inserted per statement while seeding. */
const CHUNK = 5000;

export interface DirectPair {
  conversationId: string;
  a: number;
  b: number;
}

/**
 * The benchmark's accounts and conversations, by index so the schedule can be built before any
 * id exists. Groups are disjoint: user i belongs to group floor(i / groupSize) while that group
 * is full-sized, and the remaining users are in no group.
 */
export interface Population {
  tag: string;
  userIds: string[];
  /** sessionIds[i] is user i's seeded session, which its access token names as `sid`. */
  sessionIds: string[];
  groupIds: string[];
  groupSize: number;
  /** directPairs[i * DIRECT_PARTNERS + k] is user i's conversation with user (i + k + 1) mod n. */
  directPairs: DirectPair[];
}

export function groupOf(population: Population, user: number): number | undefined {
  const group = Math.floor(user / population.groupSize);
  return group < population.groupIds.length ? group : undefined;
}

export function buildPopulation(users: number, groupSize: number): Population {
  const userIds = Array.from({ length: users }, () => randomUUID());
  const sessionIds = Array.from({ length: users }, () => randomUUID());
  const groupIds = Array.from({ length: Math.floor(users / groupSize) }, () => randomUUID());
  const directPairs: DirectPair[] = [];
  for (let a = 0; a < users; a += 1) {
    for (let k = 1; k <= DIRECT_PARTNERS; k += 1) {
      directPairs.push({ conversationId: randomUUID(), a, b: (a + k) % users });
    }
  }
  return { tag: randomBytes(3).toString('hex'), userIds, sessionIds, groupIds, groupSize, directPairs };
}

/** The same unordered pair key as the server's directKeyOf, so the server finds these conversations. */
const directKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

async function inChunks<T>(items: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += CHUNK) await insert(items.slice(start, start + CHUNK));
}

/**
 * Insert the population straight into the database. The accounts get no usable password and
 * their sessions no usable refresh token: the harness signs their access tokens instead,
 * because hashing thousands of argon2id passwords through the API would take minutes on a
 * small machine.
 */
export async function seedPopulation(db: BenchDatabase, population: Population): Promise<void> {
  const { tag, userIds, groupIds, groupSize } = population;
  const indexes = userIds.map((_, index) => index);
  await inChunks(indexes, (chunk) =>
    db.query(
      `INSERT INTO users (id, username, email, password_hash)
       SELECT id, 'b' || $2 || '_' || n, 'b' || $2 || '_' || n || '@bench.test', 'seeded-without-password'
       FROM unnest($1::uuid[], $3::int[]) AS t(id, n)`,
      [chunk.map((index) => userIds[index]), tag, chunk],
    ),
  );
  // The server accepts an access token only while the session it names is active.
  await inChunks(indexes, (chunk) =>
    db.query(
      `INSERT INTO sessions (id, user_id, refresh_token_hash, expires_at)
       SELECT id, user_id, repeat('0', 64), now() + interval '1 day' FROM unnest($1::uuid[], $2::uuid[]) AS t(id, user_id)`,
      [chunk.map((index) => population.sessionIds[index]), chunk.map((index) => userIds[index])],
    ),
  );

  // Pairs repeat when there are fewer users than DIRECT_PARTNERS + 1; each unordered pair is seeded once.
  const seen = new Set<string>();
  const pairs = population.directPairs.filter((pair) => {
    const key = directKey(userIds[pair.a], userIds[pair.b]);
    if (pair.a === pair.b || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  await inChunks(pairs, (chunk) =>
    db.query(
      `WITH created AS (
         INSERT INTO conversations (id, type, direct_key) SELECT id, 'direct', key FROM unnest($1::uuid[], $2::text[]) AS t(id, key)
       )
       INSERT INTO conversation_members (conversation_id, user_id, role)
       SELECT id, a, 'member' FROM unnest($1::uuid[], $3::uuid[]) AS t(id, a)
       UNION ALL SELECT id, b, 'member' FROM unnest($1::uuid[], $4::uuid[]) AS t(id, b)`,
      [
        chunk.map((pair) => pair.conversationId),
        chunk.map((pair) => directKey(userIds[pair.a], userIds[pair.b])),
        chunk.map((pair) => userIds[pair.a]),
        chunk.map((pair) => userIds[pair.b]),
      ],
    ),
  );
  // Repeated pairs point at the conversation that was seeded for their key.
  const byKey = new Map(pairs.map((pair) => [directKey(userIds[pair.a], userIds[pair.b]), pair.conversationId]));
  for (const pair of population.directPairs)
    pair.conversationId = byKey.get(directKey(userIds[pair.a], userIds[pair.b])) ?? pair.conversationId;

  const owners = groupIds.map((_, group) => userIds[group * groupSize]);
  await inChunks(
    groupIds.map((id, group) => ({ id, owner: owners[group] })),
    (chunk) =>
      db.query(
        `WITH created AS (
           INSERT INTO conversations (id, type) SELECT id, 'group' FROM unnest($1::uuid[]) AS t(id)
         )
         INSERT INTO groups (id, name, created_by) SELECT id, 'bench ' || $3, owner FROM unnest($1::uuid[], $2::uuid[]) AS t(id, owner)`,
        [chunk.map((group) => group.id), chunk.map((group) => group.owner), tag],
      ),
  );
  const members = indexes.filter((index) => groupOf(population, index) !== undefined);
  await inChunks(members, (chunk) =>
    db.query(
      `INSERT INTO conversation_members (conversation_id, user_id, role)
       SELECT g, u, CASE WHEN owner THEN 'owner' ELSE 'member' END FROM unnest($1::uuid[], $2::uuid[], $3::bool[]) AS t(g, u, owner)`,
      [
        chunk.map((index) => groupIds[groupOf(population, index)!]),
        chunk.map((index) => userIds[index]),
        chunk.map((index) => index % groupSize === 0),
      ],
    ),
  );

  // Fresh planner statistics, as autovacuum would gather them in production. Without them,
  // PostgreSQL plans the handshake's membership lookups as sequential scans over every seeded
  // row; on a PostgreSQL with autovacuum off they never come.
  await db.query('ANALYZE users, sessions, conversations, conversation_members, groups, messages');
}

/** Messages stored for the population's senders whose clientMessageId starts with `prefix`. */
export async function countStoredMessages(db: BenchDatabase, population: Population, prefix: string): Promise<number> {
  const rows = await db.query<{ count: string | number }>(
    `SELECT count(*) AS count FROM messages WHERE sender_id = ANY($1::uuid[]) AND client_message_id LIKE $2 || '%'`,
    [population.userIds, prefix],
  );
  return Number(rows[0].count);
}
