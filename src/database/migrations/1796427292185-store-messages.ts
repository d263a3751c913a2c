import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * store_messages stores a batch of sends in the one transaction of the statement that calls it,
 * so a batch costs one round trip and one WAL flush. Item i is sent by senders[i] to a group
 * when group_flags[i] is true, with targets[i] as the group's id, and otherwise to the direct
 * conversation whose direct_key is targets[i] ("<lower uuid>:<higher uuid>").
 *
 * The first message between two users opens their direct conversation in the same transaction,
 * so sends to a new conversation keep their order in the batch, and a send that is not stored
 * leaves no empty conversation behind.
 *
 * Each item takes the next seq of its conversation under the conversation's row lock, which
 * is held until the batch commits. An item returns no row when its group does not exist or its
 * sender is not a member, when its recipient does not exist, or when (sender,
 * client_message_id) is already stored. In the last case the seq it took is given back before
 * anything commits, so seq stays gapless. Callers order the items by conversation, so two
 * batches lock shared conversations in the same order.
 */
export class StoreMessages1796427292185 implements MigrationInterface {
  name = 'StoreMessages1796427292185';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION store_messages(
        targets text[], group_flags boolean[], senders uuid[], contents text[], types text[], client_ids text[]
      )
      RETURNS TABLE (
        item integer, id uuid, conversation_id uuid, seq bigint, sender_id uuid, content text, message_type text,
        client_message_id text, created_at timestamptz, conversation_type text, direct_key text, other_members bigint
      )
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        target record;
        stored record;
        pair uuid[];
      BEGIN
        FOR i IN 1 .. coalesce(array_length(targets, 1), 0) LOOP
          IF group_flags[i] THEN
            UPDATE conversations c SET last_seq = c.last_seq + 1
            WHERE c.id = targets[i]::uuid AND c.type = 'group'
              AND EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.conversation_id = c.id AND cm.user_id = senders[i])
            RETURNING c.id, c.last_seq, c.type, c.direct_key INTO target;
            CONTINUE WHEN NOT FOUND;
          ELSE
            UPDATE conversations c SET last_seq = c.last_seq + 1
            WHERE c.direct_key = targets[i]
              AND EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.conversation_id = c.id AND cm.user_id = senders[i])
            RETURNING c.id, c.last_seq, c.type, c.direct_key INTO target;

            IF NOT FOUND THEN
              -- Open the conversation, unless a user of the pair does not exist or the send is a retry.
              pair := string_to_array(targets[i], ':')::uuid[];
              CONTINUE WHEN NOT senders[i] = ANY (pair)
                OR (SELECT count(*) FROM users u WHERE u.id = ANY (pair)) <> 2
                OR EXISTS (SELECT 1 FROM messages m WHERE m.sender_id = senders[i] AND m.client_message_id = client_ids[i]);

              INSERT INTO conversations (type, direct_key) VALUES ('direct', targets[i]) ON CONFLICT (direct_key) DO NOTHING;
              INSERT INTO conversation_members (conversation_id, user_id)
              SELECT c.id, member FROM conversations c, unnest(pair) AS member WHERE c.direct_key = targets[i]
              ON CONFLICT DO NOTHING;

              UPDATE conversations c SET last_seq = c.last_seq + 1
              WHERE c.direct_key = targets[i]
              RETURNING c.id, c.last_seq, c.type, c.direct_key INTO target;
            END IF;
          END IF;

          INSERT INTO messages AS m (conversation_id, seq, sender_id, content, message_type, client_message_id)
          VALUES (target.id, target.last_seq, senders[i], contents[i], types[i], client_ids[i])
          ON CONFLICT (sender_id, client_message_id) DO NOTHING
          RETURNING m.id, m.seq, m.created_at INTO stored;
          IF NOT FOUND THEN
            UPDATE conversations c SET last_seq = c.last_seq - 1 WHERE c.id = target.id;
            CONTINUE;
          END IF;

          UPDATE conversation_members cm
          SET last_delivered_seq = GREATEST(cm.last_delivered_seq, stored.seq), last_read_seq = GREATEST(cm.last_read_seq, stored.seq)
          WHERE cm.conversation_id = target.id AND cm.user_id = senders[i];

          RETURN QUERY SELECT i, stored.id, target.id, stored.seq, senders[i], contents[i], types[i], client_ids[i],
            stored.created_at, target.type::text, target.direct_key,
            (SELECT count(*) FROM conversation_members o WHERE o.conversation_id = target.id AND o.user_id <> senders[i]);
        END LOOP;
      END
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION store_messages(text[], boolean[], uuid[], text[], text[], text[])`);
  }
}
