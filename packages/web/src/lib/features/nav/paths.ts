import type { NavChannel } from './nav-types';

/**
 * Standalone channels belong to no community; their URL carries the community the user is looking at, or
 * this placeholder when there is none.
 */
export const NO_COMMUNITY = 'none';

export function channelPath(
  channel: Pick<NavChannel, 'id' | 'kind' | 'communityId'>,
  context: string | null,
) {
  if (channel.kind === 'dm') return `/dm/${channel.id}`;
  return `/c/${channel.communityId ?? context ?? NO_COMMUNITY}/${channel.id}`;
}

export const WELCOME_PATH = '/channels';

/** A bare code or any link whose path ends in `/invite/<code>` (or just `/<code>`). */
export function parseInviteCode(input: string): string {
  const text = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text.replace(/^\/?(invite\/)?/, '').replace(/\/+$/, '');
  try {
    const segments = new URL(text).pathname.split('/').filter(Boolean);
    return segments.at(-1) ?? '';
  } catch {
    return text;
  }
}
