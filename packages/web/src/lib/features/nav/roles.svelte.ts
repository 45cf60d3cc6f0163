import type { CommunityMember, GroupMemberInfo } from '@chatalot/protocol';
import { listCommunityMembers } from '$lib/api/communities';
import { listGroupMembers } from '$lib/api/groups';

export type CommunityRole = CommunityMember['role'];
export type GroupRole = GroupMemberInfo['role'];

const PAGE = 100;
/** Enough for any realistic staff list; the scan stops at the first plain member anyway. */
const MAX_PAGES = 20;

/**
 * The caller's role from a member list that the server orders by rank (owner, admins, moderators, then
 * members): the scan stops at the caller or at the first plain member, so it costs one page in practice.
 */
export async function findRole<R extends string>(
  userId: string,
  fetchPage: (offset: number) => Promise<Array<{ user_id: string; role: R }>>,
  lowest: R,
): Promise<R | null> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await fetchPage(page * PAGE);
    const mine = rows.find((row) => row.user_id === userId);
    if (mine) return mine.role;
    if (rows.length < PAGE || rows.some((row) => row.role === lowest)) return rows.length ? lowest : null;
  }
  return lowest;
}

/**
 * The caller's roles in communities and groups, asked once each and only when a control needs them
 * (who may create groups, add channels, assign personal groups). A failed look-up counts as "member" (the
 * least), and the server still has the last word on every action.
 */
export class Roles {
  #community = $state<Record<string, CommunityRole>>({});
  #group = $state<Record<string, GroupRole>>({});
  #asked = new Set<string>();

  constructor(private readonly userId: () => string | null) {}

  community(communityId: string): CommunityRole | undefined {
    this.#ask(`c:${communityId}`, async (me) => {
      const role = await findRole(
        me,
        (offset) => listCommunityMembers(communityId, { limit: PAGE, offset }),
        'member',
      ).catch(() => null);
      this.#community[communityId] = role ?? 'member';
    });
    return this.#community[communityId];
  }

  group(groupId: string): GroupRole | undefined {
    this.#ask(`g:${groupId}`, async (me) => {
      const role = await findRole(
        me,
        (offset) => listGroupMembers(groupId, { limit: PAGE, offset }),
        'member',
      ).catch(() => null);
      this.#group[groupId] = role ?? 'member';
    });
    return this.#group[groupId];
  }

  /** Roles change with kicks, transfers and promotions that no event announces: ask again later. */
  forget(): void {
    this.#asked.clear();
    this.#community = {};
    this.#group = {};
  }

  #ask(key: string, lookUp: (userId: string) => Promise<void>): void {
    const me = this.userId();
    if (me === null || this.#asked.has(key)) return;
    this.#asked.add(key);
    // Reading a role must not write state during a render, so the look-up starts after it.
    queueMicrotask(() => void lookUp(me));
  }
}
