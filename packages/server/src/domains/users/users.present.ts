import type { BlockedUser, MemberInfo, UserProfileUpdatedFrame, UserPublic } from '@chatalot/protocol';
import type { Selectable } from 'kysely';
import type { UsersTable } from '../../platform/db/schema.js';

export type UserRecord = Selectable<UsersTable>;

/** UserPublic: `status` is always "offline" here; live presence travels over the WebSocket. */
export function presentUser(user: UserRecord): UserPublic {
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    avatar_url: user.avatar_url,
    banner_url: user.banner_url,
    ...(user.voice_background_url && { voice_background_url: user.voice_background_url }),
    status: 'offline',
    custom_status: user.custom_status,
    ...(user.bio && { bio: user.bio }),
    ...(user.pronouns && { pronouns: user.pronouns }),
    is_admin: user.is_admin,
    is_owner: user.is_owner,
    created_at: user.created_at.toISOString(),
  };
}

/** A member of a group or channel as its member list reads it. */
export interface MemberInfoRecord<R extends string> {
  user_id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  role: R;
  joined_at: Date;
}

export function presentMemberInfo<R extends string>(member: MemberInfoRecord<R>): MemberInfo<R> {
  return {
    user_id: member.user_id,
    username: member.username,
    display_name: member.display_name,
    avatar_url: member.avatar_url,
    role: member.role,
    joined_at: member.joined_at.toISOString(),
  };
}

export function presentBlock(block: { blocked_id: string; created_at: Date }): BlockedUser {
  return { blocked_id: block.blocked_id, created_at: block.created_at.toISOString() };
}

export function presentProfileUpdate(user: UserRecord): UserProfileUpdatedFrame {
  return {
    type: 'user_profile_updated',
    user_id: user.id,
    display_name: user.display_name,
    avatar_url: user.avatar_url,
    banner_url: user.banner_url,
    voice_background_url: user.voice_background_url,
    custom_status: user.custom_status,
    bio: user.bio,
    pronouns: user.pronouns,
  };
}
