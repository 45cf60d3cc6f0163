import type {
  Community,
  CommunityBan,
  CommunityInvite,
  CommunityMember,
  CommunityUpdatedFrame,
  UserTimedOutFrame,
  UserTimeout,
  UserWarnedFrame,
  UserWarning,
} from '@chatalot/protocol';
import type { InviteRecord } from '../invites/invite-codes.js';
import { presentInviteWith } from '../invites/invites.present.js';
import type {
  BanRecord,
  CommunityRecord,
  MemberRecord,
  TimeoutRecord,
  WarningRecord,
} from './communities.repo.js';
import type { CommunityTheme } from './theme.js';

const theme = (community: CommunityRecord) => (community.community_theme as CommunityTheme | null) ?? null;

export function presentCommunity(community: CommunityRecord): Community {
  return {
    id: community.id,
    name: community.name,
    description: community.description,
    icon_url: community.icon_url,
    owner_id: community.owner_id,
    created_at: community.created_at.toISOString(),
    member_count: community.member_count,
    who_can_create_groups: community.who_can_create_groups,
    who_can_create_invites: community.who_can_create_invites,
    discoverable: community.discoverable,
    banner_url: community.banner_url,
    community_theme: theme(community),
    ...(community.welcome_message && { welcome_message: community.welcome_message }),
  };
}

export function presentCommunityUpdate(community: CommunityRecord): CommunityUpdatedFrame {
  return {
    type: 'community_updated',
    community_id: community.id,
    name: community.name,
    description: community.description,
    icon_url: community.icon_url,
    banner_url: community.banner_url,
    community_theme: theme(community),
    welcome_message: community.welcome_message,
  };
}

export function presentMember(member: MemberRecord): CommunityMember {
  return { ...member, joined_at: member.joined_at.toISOString() };
}

/** The ban list is the one place the reference writes timestamps with `Z` (rest-api.md §1.4). */
export function presentBan(ban: BanRecord): CommunityBan {
  return { ...ban, created_at: ban.created_at.toISOString() };
}

export function presentInvite(invite: InviteRecord<'community_invites'>): CommunityInvite {
  return presentInviteWith(invite, { community_id: invite.community_id });
}

export function presentTimeout(timeout: TimeoutRecord): UserTimeout {
  return {
    ...timeout,
    expires_at: timeout.expires_at.toISOString(),
    created_at: timeout.created_at.toISOString(),
  };
}

export function presentTimedOut(timeout: TimeoutRecord): UserTimedOutFrame {
  return {
    type: 'user_timed_out',
    channel_id: timeout.channel_id,
    user_id: timeout.user_id,
    expires_at: timeout.expires_at.toISOString(),
    reason: timeout.reason,
  };
}

export function presentWarning(warning: WarningRecord): UserWarning {
  return { ...warning, created_at: warning.created_at.toISOString() };
}

export function presentWarned(warning: WarningRecord, count: number): UserWarnedFrame {
  return {
    type: 'user_warned',
    channel_id: warning.channel_id,
    user_id: warning.user_id,
    reason: warning.reason,
    warning_count: count,
  };
}
