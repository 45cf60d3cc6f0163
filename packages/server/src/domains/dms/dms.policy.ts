import type { InstanceFlags } from '../permissions/roles.js';

export type DmRefusal = 'blocked' | 'no_shared_community';

/**
 * Why `user` may not open a DM, or null if they may (permissions.md §8.5, §11): a block in either
 * direction, or no shared community — which only the instance owner does without.
 */
export function dmRefusal(
  user: InstanceFlags,
  context: { blocked: boolean; shareCommunity: boolean },
): DmRefusal | null {
  if (context.blocked) return 'blocked';
  if (!user.is_owner && !context.shareCommunity) return 'no_shared_community';
  return null;
}
