import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.js';

/** Whether either user blocked the other: the block half of the DM rule (permissions.md §8.5). */
export async function blockedEitherWay(db: Db, one: string, other: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_blocks')
    .select(sql<number>`1`.as('one'))
    .where((eb) =>
      eb.or([
        eb.and([eb('blocker_id', '=', one), eb('blocked_id', '=', other)]),
        eb.and([eb('blocker_id', '=', other), eb('blocked_id', '=', one)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
