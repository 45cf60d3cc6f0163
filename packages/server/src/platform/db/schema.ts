import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/** A timestamp with a database default: optional on insert. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A timestamp the application must supply. */
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string, string>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

export interface InstanceSettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string;
  password_hash: string;
  avatar_url: string | null;
  banner_url: string | null;
  voice_background_url: string | null;
  custom_status: string | null;
  bio: string | null;
  pronouns: string | null;
  totp_secret: Buffer | null;
  totp_enabled: Generated<boolean>;
  totp_backup_codes: string[] | null;
  totp_last_step: number | null;
  recovery_code_hash: string | null;
  is_admin: Generated<boolean>;
  is_owner: Generated<boolean>;
  suspended_at: NullableTimestamp;
  suspended_reason: string | null;
  upload_bytes_used: Generated<number>;
  preferences: ColumnType<Record<string, unknown>, string | undefined, string>;
  presence_status: Generated<'online' | 'dnd' | 'invisible'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityKeysTable {
  user_id: string;
  identity_key: Buffer;
  fingerprint: string;
  created_at: Timestamp;
  rotated_at: NullableTimestamp;
}

export interface SignedPrekeysTable {
  id: string;
  user_id: string;
  key_id: number;
  public_key: Buffer;
  signature: Buffer;
  created_at: Timestamp;
}

export interface OneTimePrekeysTable {
  id: string;
  user_id: string;
  key_id: number;
  public_key: Buffer;
  used: Generated<boolean>;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  device_name: string | null;
  ip_address: string | null;
  created_at: Timestamp;
  refreshed_at: Timestamp;
  expires_at: RequiredTimestamp;
  revoked_at: NullableTimestamp;
}

export interface RefreshTokensTable {
  token_hash: Buffer;
  session_id: string;
  created_at: Timestamp;
  expires_at: RequiredTimestamp;
  replaced_at: NullableTimestamp;
}

export interface AuthFailuresTable {
  key: string;
  failures: number;
  last_failure_at: RequiredTimestamp;
  locked_until: NullableTimestamp;
}

export interface AuditLogTable {
  id: string;
  user_id: string | null;
  action: string;
  ip_address: string | null;
  user_agent: string | null;
  metadata: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface RegistrationInvitesTable {
  id: string;
  code: string;
  created_by: string | null;
  max_uses: number | null;
  used_count: Generated<number>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface UserBlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Timestamp;
}

export type CommunityRole = 'owner' | 'admin' | 'moderator' | 'member';
export type GroupRole = 'owner' | 'admin' | 'member';
export type ChannelRole = 'owner' | 'admin' | 'moderator' | 'member';
export type CommunityPolicy = 'everyone' | 'moderator' | 'admin';
export type ChannelType = 'text' | 'voice' | 'dm' | 'gallery';

export interface CommunitiesTable {
  id: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  banner_url: string | null;
  owner_id: string | null;
  who_can_create_groups: ColumnType<CommunityPolicy, CommunityPolicy | undefined, CommunityPolicy>;
  who_can_create_invites: ColumnType<CommunityPolicy, CommunityPolicy | undefined, CommunityPolicy>;
  discoverable: Generated<boolean>;
  community_theme: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  welcome_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommunityMembersTable {
  community_id: string;
  user_id: string;
  role: ColumnType<CommunityRole, CommunityRole | undefined, CommunityRole>;
  nickname: string | null;
  joined_at: Timestamp;
}

export interface InvitesTable {
  id: string;
  code: string;
  created_by: string | null;
  max_uses: number | null;
  used_count: Generated<number>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface CommunityInvitesTable extends InvitesTable {
  community_id: string;
}

export interface GroupInvitesTable extends InvitesTable {
  group_id: string;
}

export interface CommunityBansTable {
  community_id: string;
  user_id: string;
  banned_by: string | null;
  reason: string | null;
  created_at: Timestamp;
}

export interface GroupsTable {
  id: string;
  name: string;
  description: string | null;
  owner_id: string | null;
  community_id: string;
  visibility: ColumnType<'public' | 'private', 'public' | 'private' | undefined, 'public' | 'private'>;
  discoverable: Generated<boolean>;
  assigned_member_id: string | null;
  allow_invites: Generated<boolean>;
  icon_url: string | null;
  banner_url: string | null;
  accent_color: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  role: ColumnType<GroupRole, GroupRole | undefined, GroupRole>;
  joined_at: Timestamp;
}

export interface ChannelsTable {
  id: string;
  name: string | null;
  channel_type: ChannelType;
  topic: string | null;
  created_by: string | null;
  group_id: string | null;
  read_only: Generated<boolean>;
  slow_mode_seconds: Generated<number>;
  message_ttl_seconds: number | null;
  discoverable: Generated<boolean>;
  archived: Generated<boolean>;
  voice_background: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ChannelMembersTable {
  channel_id: string;
  user_id: string;
  role: ColumnType<ChannelRole, ChannelRole | undefined, ChannelRole>;
  joined_at: Timestamp;
}

export interface DmPairsTable {
  user_a: string;
  user_b: string;
  channel_id: string;
  created_at: Timestamp;
}

export interface ChannelBansTable {
  channel_id: string;
  user_id: string;
  banned_by: string | null;
  reason: string | null;
  banned_at: Timestamp;
}

export interface UserTimeoutsTable {
  id: string;
  user_id: string;
  channel_id: string;
  issued_by: string | null;
  reason: string | null;
  expires_at: RequiredTimestamp;
  created_at: Timestamp;
}

export interface WarningsTable {
  id: string;
  user_id: string;
  channel_id: string;
  issued_by: string | null;
  reason: string;
  created_at: Timestamp;
}

export interface ChannelEventSeqTable {
  channel_id: string;
  seq: number;
}

export interface ChannelEventsTable {
  channel_id: string;
  seq: number;
  /** The frame's JSON, without `seq`. */
  frame: string;
  created_at: Timestamp;
}

export type MessageType = 'text' | 'file' | 'system' | 'webhook';

export interface MessagesTable {
  id: string;
  channel_id: string;
  sender_id: string | null;
  client_id: string | null;
  ciphertext: Buffer;
  nonce: Buffer;
  message_type: ColumnType<MessageType, MessageType | undefined, MessageType>;
  sender_key_id: string | null;
  reply_to_id: string | null;
  thread_id: string | null;
  plaintext: string | null;
  search_text: string | null;
  search_vector: ColumnType<string, never, never>;
  expires_at: NullableTimestamp;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  quarantined_at: NullableTimestamp;
  quarantined_by: string | null;
  created_at: Timestamp;
}

export interface MessageEditsTable {
  id: string;
  message_id: string;
  old_ciphertext: Buffer;
  old_nonce: Buffer;
  edited_at: Timestamp;
}

export interface ReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: Timestamp;
}

export interface ReadCursorsTable {
  user_id: string;
  channel_id: string;
  last_read_message_id: string | null;
  last_read_at: Timestamp;
}

export interface ChannelSlowmodeTable {
  channel_id: string;
  user_id: string;
  last_sent: Timestamp;
}

export interface PinnedMessagesTable {
  message_id: string;
  channel_id: string;
  pinned_by: string | null;
  pinned_at: Timestamp;
}

export interface BookmarksTable {
  id: string;
  user_id: string;
  message_id: string;
  note: string | null;
  created_at: Timestamp;
}

export interface ScheduledMessagesTable {
  id: string;
  channel_id: string;
  user_id: string;
  ciphertext: string;
  nonce: string;
  content_preview: string | null;
  scheduled_for: RequiredTimestamp;
  created_at: Timestamp;
}

export interface PollsTable {
  id: string;
  channel_id: string;
  created_by: string | null;
  question: string;
  options: ColumnType<string[], string, string>;
  multi_select: Generated<boolean>;
  anonymous: Generated<boolean>;
  closed: Generated<boolean>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface PollVotesTable {
  poll_id: string;
  user_id: string;
  option_index: number;
  created_at: Timestamp;
}

export interface SenderKeyDistributionsTable {
  id: string;
  channel_id: string;
  user_id: string;
  chain_id: number;
  /** Any JSON value, stored as the client sent it; written as its JSON text. */
  distribution: Json;
  created_at: Timestamp;
}

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  instance_settings: InstanceSettingsTable;
  users: UsersTable;
  identity_keys: IdentityKeysTable;
  signed_prekeys: SignedPrekeysTable;
  one_time_prekeys: OneTimePrekeysTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  auth_failures: AuthFailuresTable;
  audit_log: AuditLogTable;
  registration_invites: RegistrationInvitesTable;
  user_blocks: UserBlocksTable;
  communities: CommunitiesTable;
  community_members: CommunityMembersTable;
  community_invites: CommunityInvitesTable;
  community_bans: CommunityBansTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_invites: GroupInvitesTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  dm_pairs: DmPairsTable;
  channel_bans: ChannelBansTable;
  user_timeouts: UserTimeoutsTable;
  warnings: WarningsTable;
  channel_event_seq: ChannelEventSeqTable;
  channel_events: ChannelEventsTable;
  messages: MessagesTable;
  message_edits: MessageEditsTable;
  reactions: ReactionsTable;
  read_cursors: ReadCursorsTable;
  channel_slowmode: ChannelSlowmodeTable;
  pinned_messages: PinnedMessagesTable;
  bookmarks: BookmarksTable;
  scheduled_messages: ScheduledMessagesTable;
  polls: PollsTable;
  poll_votes: PollVotesTable;
  sender_key_distributions: SenderKeyDistributionsTable;
}

/** A database handle or an open transaction: what repository functions take. */
export type Db = Kysely<Schema> | Transaction<Schema>;
