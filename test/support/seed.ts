import { randomBytes } from 'node:crypto';
import { AuthService } from '../../src/auth/auth.service';
import { TestApp } from './app';
import { TestUser } from './clients';

/**
 * Insert users straight into the database and start a session for each through the
 * application's AuthService, for tests that need many members quickly. They cannot log in by password.
 */
export async function seedUsers(app: TestApp, count: number): Promise<TestUser[]> {
  const prefix = `sd${randomBytes(4).toString('hex')}_`;
  const rows: { id: string; username: string; email: string }[] = await app.dataSource.query(
    `INSERT INTO users (username, email, password_hash)
     SELECT $1 || n, $1 || n || '@example.test', 'seeded-without-password' FROM generate_series(1, $2::int) AS n
     RETURNING id, username, email`,
    [prefix, count],
  );
  const auth = app.app.get(AuthService);
  const users: TestUser[] = [];
  for (const row of rows) {
    const session = await auth.issueSession(row.id);
    users.push({ ...row, password: '', token: session.accessToken, refreshToken: session.refreshToken });
  }
  return users;
}

/** Add users to a group as plain members, with watermarks at the group's current last_seq. */
export async function seedMembers(app: TestApp, groupId: string, userIds: string[]): Promise<void> {
  await app.dataSource.query(
    `INSERT INTO conversation_members (conversation_id, user_id, role, last_delivered_seq, last_read_seq)
     SELECT c.id, u, 'member', c.last_seq, c.last_seq FROM conversations c, unnest($2::uuid[]) AS u WHERE c.id = $1`,
    [groupId, userIds],
  );
}

/**
 * Create `count` groups owned by `senderId` with `userId` as a member, each holding
 * `messagesEach` messages from the sender that `userId` has neither received nor read.
 * Returns the group ids.
 */
export async function seedGroupsWithMessages(
  app: TestApp,
  userId: string,
  senderId: string,
  count: number,
  messagesEach: number,
): Promise<string[]> {
  const rows: { id: string }[] = await app.dataSource.query(
    `WITH created AS (
       INSERT INTO conversations (type, last_seq) SELECT 'group', $4::bigint FROM generate_series(1, $3::int) RETURNING id
     ), named AS (
       INSERT INTO groups (id, name, created_by) SELECT id, 'seeded', $2 FROM created
     ), members AS (
       INSERT INTO conversation_members (conversation_id, user_id, role, last_delivered_seq, last_read_seq)
       SELECT id, $2, 'owner', $4::bigint, $4::bigint FROM created
       UNION ALL SELECT id, $1, 'member', 0, 0 FROM created
     ), sent AS (
       INSERT INTO messages (conversation_id, seq, sender_id, content)
       SELECT created.id, n, $2, 'seeded ' || n FROM created, generate_series(1, $4::int) AS n
     )
     SELECT id FROM created`,
    [userId, senderId, count, messagesEach],
  );
  return rows.map((row) => row.id);
}
