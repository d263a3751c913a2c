import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764871200000 implements MigrationInterface {
  name = 'InitialSchema1764871200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username varchar(20) NOT NULL,
        email varchar(254) NOT NULL,
        password_hash text NOT NULL,
        last_seen_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);

    await queryRunner.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(10) NOT NULL CHECK (type IN ('direct', 'group')),
        direct_key text UNIQUE,
        last_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((type = 'direct') = (direct_key IS NOT NULL))
      )`);

    await queryRunner.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        description text,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE conversation_members (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role varchar(10) NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
        last_delivered_seq bigint NOT NULL DEFAULT 0,
        last_read_seq bigint NOT NULL DEFAULT 0,
        joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (conversation_id, user_id)
      )`);
    await queryRunner.query(`CREATE INDEX conversation_members_user_idx ON conversation_members (user_id)`);

    await queryRunner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        sender_id uuid NOT NULL REFERENCES users (id),
        content text NOT NULL,
        message_type varchar(10) NOT NULL DEFAULT 'text' CHECK (message_type IN ('text', 'image', 'file')),
        client_message_id varchar(64),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT messages_conversation_seq_key UNIQUE (conversation_id, seq),
        CONSTRAINT messages_sender_client_id_key UNIQUE (sender_id, client_message_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE messages`);
    await queryRunner.query(`DROP TABLE conversation_members`);
    await queryRunner.query(`DROP TABLE groups`);
    await queryRunner.query(`DROP TABLE conversations`);
    await queryRunner.query(`DROP INDEX users_email_lower_key`);
    await queryRunner.query(`DROP INDEX users_username_lower_key`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
