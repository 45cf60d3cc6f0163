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

export interface SenderKeyRotationRequiredFrame {
  type: 'sender_key_rotation_required';
  channel_id: string;
  reason: 'member_removed' | 'member_left';
}

/** A member's new sender-key chain, relayed verbatim to the channel (websocket.md §7.26). */
export interface SenderKeyUpdatedFrame {
  type: 'sender_key_updated';
  channel_id: string;
  user_id: string;
  chain_id: number;
  distribution: unknown;
}

/** To the owner of a key bundle that is running out of one-time prekeys (websocket.md §7.43). */
export interface KeysLowFrame {
  type: 'keys_low';
  remaining: number;
}

export interface NewMessageFrame {
  type: 'new_message';
  id: string;
  channel_id: string;
  sender_id: string;
  ciphertext: number[];
  nonce: number[];
  message_type: 'text' | 'file' | 'system' | 'webhook';
  reply_to: string | null;
  sender_key_id: string | null;
  created_at: string;
  /** Omitted when absent (websocket.md §7.2). */
  thread_id?: string;
}

export interface MessageEditedFrame {
  type: 'message_edited';
  message_id: string;
  channel_id: string;
  sender_id: string;
  ciphertext: number[];
  nonce: number[];
  edited_at: string;
}

export interface MessageDeletedFrame {
  type: 'message_deleted';
  message_id: string;
}

export interface ReactionFrame {
  type: 'reaction_added' | 'reaction_removed';
  message_id: string;
  user_id: string;
  emoji: string;
}

export interface ReadReceiptFrame {
  type: 'read_receipt';
  channel_id: string;
  user_id: string;
  message_id: string;
  timestamp: string;
}

export interface NewDmChannelFrame {
  type: 'new_dm_channel';
  channel_id: string;
  channel_name: string | null;
  created_at: string;
  other_user_id: string;
  other_user_username: string;
  other_user_display_name: string;
  other_user_avatar_url: string | null;
}

export interface MessagePinnedFrame {
  type: 'message_pinned';
  message_id: string;
  channel_id: string;
  pinned_by: string;
  pinned_at: string;
}

export interface MessageUnpinnedFrame {
  type: 'message_unpinned';
  message_id: string;
  channel_id: string;
}

export interface PollCreatedFrame {
  type: 'poll_created';
  poll_id: string;
  channel_id: string;
  created_by: string;
  question: string;
}

export interface PollVoteFrame {
  type: 'poll_voted' | 'poll_vote_removed';
  poll_id: string;
  channel_id: string;
  option_index: number;
  voter_id: string | null;
}

export interface PollClosedFrame {
  type: 'poll_closed';
  poll_id: string;
  channel_id: string;
}

/** Ours: the echo of a frame's optional `ref` (websocket.md §14.3 correlation). */
interface Correlated {
  ref?: string | number;
}

export interface AuthenticatedFrame extends Correlated {
  type: 'authenticated';
  user_id: string;
  server_version: string;
}

export interface ErrorFrame extends Correlated {
  type: 'error';
  code: string;
  message: string;
}

/** To the sending connection only, after the commit (websocket.md §7.3); `client_id` and `ref` are ours. */
export interface MessageSentFrame extends Correlated {
  type: 'message_sent';
  id: string;
  channel_id: string;
  created_at: string;
  thread_id?: string;
  client_id?: string;
}

export interface PongFrame extends Correlated {
  type: 'pong';
  timestamp: number;
}

/** What others see: `invisible` is never sent. */
export type VisibleStatus = 'online' | 'idle' | 'dnd' | 'offline';

export interface PresenceUpdateFrame {
  type: 'presence_update';
  user_id: string;
  status: VisibleStatus;
}

export interface PresenceBulkFrame {
  type: 'presence_bulk';
  statuses: Array<[string, VisibleStatus]>;
}

export interface UserTypingFrame {
  type: 'user_typing';
  channel_id: string;
  user_id: string;
}

export interface UserStoppedTypingFrame {
  type: 'user_stopped_typing';
  channel_id: string;
  user_id: string;
}

/**
 * Ours: after `resume`, a channel whose missed events are no longer all in the log (or that the caller can no
 * longer read); the client re-fetches it over REST. `seq` is the channel's current sequence number.
 */
export interface ResyncRequiredFrame {
  type: 'resync_required';
  channel_id: string;
  seq: number;
  reason: 'gap_too_old' | 'no_access';
}

/** Ours: the end of a `resume` replay, with the sequence number each resumed channel is now at. */
export interface ResumedFrame extends Correlated {
  type: 'resumed';
  channels: Record<string, number>;
}

/** Frames the gateway itself produces. */
export type GatewayFrame =
  | MessageSentFrame
  | AuthenticatedFrame
  | ErrorFrame
  | PongFrame
  | PresenceUpdateFrame
  | PresenceBulkFrame
  | UserTypingFrame
  | UserStoppedTypingFrame
  | ResyncRequiredFrame
  | ResumedFrame;

/**
 * Frames that domains publish. A channel event also carries `seq` on the wire: the channel's event number,
 * gap-free and increasing, which `resume` continues from. Reference clients ignore it.
 */
export type ServerFrame =
  | NewMessageFrame
  | MessageEditedFrame
  | MessageDeletedFrame
  | ReactionFrame
  | ReadReceiptFrame
  | NewDmChannelFrame
  | MessagePinnedFrame
  | MessageUnpinnedFrame
  | PollCreatedFrame
  | PollVoteFrame
  | PollClosedFrame
  | SenderKeyRotationRequiredFrame
  | SenderKeyUpdatedFrame
  | KeysLowFrame
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
