import type pg from 'pg';
import { uuidv7 } from '../src/platform/ids.js';

/**
 * Communities for the benchmarks, inserted by SQL that works on every schema since migration 0003: the
 * community with its members, one public group holding its channels (text), and every member in every channel.
 */
export interface SeededCommunity {
  id: string;
  channelIds: string[];
}

export async function seedCommunity(
  db: pg.Client,
  owner: string,
  name: string,
  channelCount: number,
  memberIds: readonly string[],
): Promise<SeededCommunity> {
  const id = uuidv7();
  const groupId = uuidv7();
  const channelIds = Array.from({ length: channelCount }, () => uuidv7());
  const members = [...new Set([owner, ...memberIds])];
  await db.query('insert into communities (id, name, owner_id) values ($1, $2, $3)', [id, name, owner]);
  await db.query(
    `insert into community_members (community_id, user_id, role)
      select $1, u, case when u = $3 then 'owner' else 'member' end from unnest($2::uuid[]) as u`,
    [id, members, owner],
  );
  await db.query(`insert into groups (id, name, owner_id, community_id) values ($1, $2, $3, $4)`, [
    groupId,
    `${name} group`,
    owner,
    id,
  ]);
  await db.query(`insert into group_members (group_id, user_id) select $1, u from unnest($2::uuid[]) as u`, [
    groupId,
    members,
  ]);
  await db.query(
    `insert into channels (id, name, channel_type, created_by, group_id)
      select c, $2 || '-' || n, 'text', $3, $4 from unnest($1::uuid[]) with ordinality as t(c, n)`,
    [channelIds, name, owner, groupId],
  );
  await db.query(
    `insert into channel_members (channel_id, user_id)
      select c, u from unnest($1::uuid[]) as c, unnest($2::uuid[]) as u`,
    [channelIds, members],
  );
  return { id, channelIds };
}
