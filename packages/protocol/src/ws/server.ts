/** Server → client frames (websocket.md §7) that REST-side changes produce. */
export interface MemberKickedFrame {
  type: 'member_kicked';
  channel_id: string;
  user_id: string;
  kicked_by: string;
}

export interface MemberBannedFrame {
  type: 'member_banned';
  channel_id: string;
  user_id: string;
  banned_by: string;
}

export interface MemberRoleUpdatedFrame {
  type: 'member_role_updated';
  channel_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'moderator' | 'member';
}

export interface UserTimedOutFrame {
  type: 'user_timed_out';
  channel_id: string;
  user_id: string;
  expires_at: string;
  reason: string | null;
}

export interface UserWarnedFrame {
  type: 'user_warned';
  channel_id: string;
  user_id: string;
  reason: string;
  warning_count: number;
}

export interface UserProfileUpdatedFrame {
  type: 'user_profile_updated';
  user_id: string;
  display_name: string;
  avatar_url: string | null;
  banner_url: string | null;
  voice_background_url: string | null;
  custom_status: string | null;
  bio: string | null;
  pronouns: string | null;
}

export interface ChannelUpdatedFrame {
  type: 'channel_updated';
  channel_id: string;
  name: string | null;
  topic: string | null;
  read_only: boolean;
  slow_mode_seconds: number;
  archived: boolean;
  voice_background: string | null;
}

export interface GroupUpdatedFrame {
  type: 'group_updated';
  group_id: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  banner_url: string | null;
  accent_color: string | null;
  visibility: 'public' | 'private';
}

export interface CommunityUpdatedFrame {
  type: 'community_updated';
  community_id: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  banner_url: string | null;
  community_theme: Record<string, unknown> | null;
  welcome_message: string | null;
}

export interface ChannelDeletedFrame {
  type: 'channel_deleted';
  channel_id: string;
}

export interface GroupDeletedFrame {
  type: 'group_deleted';
  group_id: string;
}

export type ServerFrame =
  | MemberKickedFrame
  | MemberBannedFrame
  | MemberRoleUpdatedFrame
  | UserTimedOutFrame
  | UserWarnedFrame
  | UserProfileUpdatedFrame
  | ChannelUpdatedFrame
  | GroupUpdatedFrame
  | CommunityUpdatedFrame
  | ChannelDeletedFrame
  | GroupDeletedFrame;
