import type { UserPublic } from '@chatalot/protocol';
import { getUser } from '$lib/api/users';

/** What the card knows before the profile arrives: the sender or peer as the channel already has them. */
export interface ProfileFallback {
  displayName: string;
  username?: string;
  avatarUrl: string | null;
}

/** The badge an instance-wide role earns on the card (PRES-05), or null. */
export function instanceBadge(user: Pick<UserPublic, 'is_owner' | 'is_admin'>): string | null {
  if (user.is_owner) return 'Instance Owner';
  if (user.is_admin) return 'Server Admin';
  return null;
}

/** "Member since" as a date in the reader's locale. */
export function memberSince(createdAt: string): string {
  return new Date(createdAt).toLocaleDateString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
}

/** One profile card's data: fetched when the card opens (`GET /api/users/{id}`), so it is never stale. */
export class ProfileLoader {
  user = $state<UserPublic | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');

  async load(userId: string): Promise<void> {
    this.status = 'loading';
    try {
      this.user = await getUser(userId);
      this.status = 'ready';
    } catch {
      this.status = 'error';
    }
  }
}
