-- Communities, groups, channels, DMs and their moderation (data-model.md §2, §3, §6; permissions.md).
-- Unlike the reference: owner/creator columns are nullable where their foreign key sets null, role and
-- policy strings are checked, and at most one timeout exists per user and channel.

create table communities (
  id uuid primary key,
  name varchar(64) not null,
  description text,
  icon_url text,
  banner_url text,
  owner_id uuid references users (id) on delete set null,
  who_can_create_groups varchar(16) not null default 'admin'
    check (who_can_create_groups in ('everyone', 'moderator', 'admin')),
  who_can_create_invites varchar(16) not null default 'admin'
    check (who_can_create_invites in ('everyone', 'moderator', 'admin')),
  discoverable boolean not null default true,
  community_theme jsonb,
  welcome_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index communities_owner on communities (owner_id);

create table community_members (
  community_id uuid not null references communities (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role varchar(16) not null default 'member' check (role in ('owner', 'admin', 'moderator', 'member')),
  nickname varchar(64),
  joined_at timestamptz not null default now(),
  primary key (community_id, user_id)
);
create index community_members_user on community_members (user_id);

create table community_invites (
  id uuid primary key,
  community_id uuid not null references communities (id) on delete cascade,
  code varchar(16) not null unique,
  created_by uuid references users (id) on delete set null,
  max_uses integer check (max_uses is null or max_uses > 0),
  used_count integer not null default 0,
  expires_at timestamptz,
  created_at timestamptz not null default now()
);
create index community_invites_community on community_invites (community_id);

create table community_bans (
  community_id uuid not null references communities (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  banned_by uuid references users (id) on delete set null,
  reason text,
  created_at timestamptz not null default now(),
  primary key (community_id, user_id)
);

create table groups (
  id uuid primary key,
  name varchar(64) not null,
  description text,
  owner_id uuid references users (id) on delete set null,
  community_id uuid not null references communities (id) on delete cascade,
  visibility varchar(16) not null default 'public' check (visibility in ('public', 'private')),
  discoverable boolean not null default true,
  assigned_member_id uuid references users (id) on delete set null,
  allow_invites boolean not null default false,
  icon_url text,
  banner_url text,
  accent_color varchar(9),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index groups_community on groups (community_id);

create table group_members (
  group_id uuid not null references groups (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role varchar(16) not null default 'member' check (role in ('owner', 'admin', 'member')),
  joined_at timestamptz not null default now(),
  primary key (group_id, user_id)
);
create index group_members_user on group_members (user_id);

create table group_invites (
  id uuid primary key,
  group_id uuid not null references groups (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  code varchar(16) not null unique,
  max_uses integer check (max_uses is null or max_uses > 0),
  used_count integer not null default 0,
  expires_at timestamptz,
  created_at timestamptz not null default now()
);
create index group_invites_group on group_invites (group_id);

create table channels (
  id uuid primary key,
  name varchar(64),
  channel_type varchar(16) not null check (channel_type in ('text', 'voice', 'dm', 'gallery')),
  topic text,
  created_by uuid references users (id) on delete set null,
  group_id uuid references groups (id) on delete cascade,
  read_only boolean not null default false,
  slow_mode_seconds integer not null default 0 check (slow_mode_seconds between 0 and 86400),
  message_ttl_seconds integer check (message_ttl_seconds is null or message_ttl_seconds between 1 and 2592000),
  discoverable boolean not null default true,
  archived boolean not null default false,
  voice_background text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index channels_group on channels (group_id) where group_id is not null;

create table channel_members (
  channel_id uuid not null references channels (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role varchar(16) not null default 'member' check (role in ('owner', 'admin', 'moderator', 'member')),
  joined_at timestamptz not null default now(),
  primary key (channel_id, user_id)
);
create index channel_members_user on channel_members (user_id);

create table dm_pairs (
  user_a uuid not null references users (id) on delete cascade,
  user_b uuid not null references users (id) on delete cascade,
  channel_id uuid not null unique references channels (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_a, user_b),
  check (user_a < user_b)
);
create index dm_pairs_user_b on dm_pairs (user_b);

create table channel_bans (
  channel_id uuid not null references channels (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  banned_by uuid references users (id) on delete set null,
  reason text,
  banned_at timestamptz not null default now(),
  primary key (channel_id, user_id)
);

create table user_timeouts (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  channel_id uuid not null references channels (id) on delete cascade,
  issued_by uuid references users (id) on delete set null,
  reason text,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  unique (user_id, channel_id)
);
create index user_timeouts_expiry on user_timeouts (expires_at);

create table warnings (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  channel_id uuid not null references channels (id) on delete cascade,
  issued_by uuid references users (id) on delete set null,
  reason text not null,
  created_at timestamptz not null default now()
);
create index warnings_user_channel on warnings (user_id, channel_id);
