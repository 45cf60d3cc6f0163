-- Accounts, sessions and account security (rest-api.md §2–§6, §26.2; data-model.md §1).

create table users (
  id uuid primary key,
  username varchar(32) not null,
  display_name varchar(64) not null,
  email varchar(254) not null,
  password_hash text not null,
  avatar_url text,
  banner_url text,
  voice_background_url text,
  custom_status varchar(128),
  bio varchar(500),
  pronouns varchar(50),
  totp_secret bytea,
  totp_enabled boolean not null default false,
  totp_backup_codes text[],
  totp_last_step integer,
  recovery_code_hash text,
  is_admin boolean not null default false,
  is_owner boolean not null default false,
  suspended_at timestamptz,
  suspended_reason text,
  upload_bytes_used bigint not null default 0,
  preferences jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_username_format check (username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$'),
  constraint users_preferences_object check (jsonb_typeof(preferences) = 'object')
);
-- Names and addresses differing only in case would let one member pass for another.
create unique index users_username_key on users (lower(username));
create unique index users_email_key on users (lower(email));
-- At most one instance owner.
create unique index users_single_owner on users (is_owner) where is_owner;

create table identity_keys (
  user_id uuid primary key references users (id) on delete cascade,
  identity_key bytea not null check (length(identity_key) = 32),
  fingerprint varchar(64) not null,
  created_at timestamptz not null default now(),
  rotated_at timestamptz
);

create table signed_prekeys (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  key_id integer not null,
  public_key bytea not null check (length(public_key) = 32),
  signature bytea not null check (length(signature) = 64),
  created_at timestamptz not null default now(),
  unique (user_id, key_id)
);
create index signed_prekeys_newest on signed_prekeys (user_id, created_at desc);

create table one_time_prekeys (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  key_id integer not null,
  public_key bytea not null check (length(public_key) = 32),
  used boolean not null default false,
  created_at timestamptz not null default now(),
  unique (user_id, key_id)
);
create index one_time_prekeys_unused on one_time_prekeys (user_id) where not used;

-- One row per signed-in device; its id is the session id shown to users and carried in access tokens.
create table sessions (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  device_name varchar(128),
  ip_address text,
  created_at timestamptz not null default now(),
  refreshed_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_active on sessions (user_id) where revoked_at is null;

-- Every refresh token a session was ever given; a replaced token presented again means theft.
create table refresh_tokens (
  token_hash bytea primary key,
  session_id uuid not null references sessions (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  replaced_at timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

-- Failed sign-in and recovery attempts per account name; shared by every server process.
create table auth_failures (
  key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz
);

create table audit_log (
  id uuid primary key,
  user_id uuid references users (id) on delete set null,
  action varchar(64) not null,
  ip_address text,
  user_agent text,
  metadata jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_user on audit_log (user_id, created_at desc);
create index audit_log_action on audit_log (action, created_at desc);

create table registration_invites (
  id uuid primary key,
  code varchar(32) not null unique,
  created_by uuid references users (id) on delete set null,
  max_uses integer check (max_uses is null or max_uses > 0),
  used_count integer not null default 0,
  expires_at timestamptz,
  created_at timestamptz not null default now()
);

create table user_blocks (
  blocker_id uuid not null references users (id) on delete cascade,
  blocked_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  check (blocker_id <> blocked_id)
);
create index user_blocks_blocked on user_blocks (blocked_id);
