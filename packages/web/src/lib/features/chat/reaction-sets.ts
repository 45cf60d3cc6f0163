import type { Reaction } from './chat-types';

/**
 * The reactions after one user added or removed one emoji: a set per emoji, so a repeated event changes
 * nothing, and an emoji nobody uses any more disappears.
 */
export function withReaction(reactions: Reaction[], emoji: string, userId: string, add: boolean): Reaction[] {
  const existing = reactions.find((reaction) => reaction.emoji === emoji);
  if (add) {
    if (existing?.userIds.includes(userId)) return reactions;
    if (!existing) return [...reactions, { emoji, userIds: [userId] }];
  } else if (!existing?.userIds.includes(userId)) return reactions;
  return reactions
    .map((reaction) =>
      reaction.emoji !== emoji
        ? reaction
        : {
            emoji,
            userIds: add ? [...reaction.userIds, userId] : reaction.userIds.filter((id) => id !== userId),
          },
    )
    .filter((reaction) => reaction.userIds.length > 0);
}
