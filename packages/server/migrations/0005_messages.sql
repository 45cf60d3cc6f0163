-- Messages and what hangs off them (data-model.md §3 read cursors and slow mode, §4). Unlike the reference:
-- replies and threads point at their root with ON DELETE SET NULL, so purging an old deleted message never
-- fails on a foreign key; a client-chosen id makes a retried send return the first message instead of a
-- duplicate; plaintext content (end-to-end encryption off, webhooks) gets a full-text index.

create table messages (
  id uuid primary key,
  channel_id uuid not null references channels (id) on delete cascade,
  sender_id uuid references users (id) on delete set null,
  client_id varchar(64),
  ciphertext bytea not null,
  nonce bytea not null,
  message_type varchar(16) not null default 'text' check (message_type in ('text', 'file', 'system', 'webhook')),
  sender_key_id uuid,
  reply_to_id uuid references messages (id) on delete set null,
  thread_id uuid references messages (id) on delete set null,
  plaintext text,
  search_text text,
  search_vector tsvector generated always as (to_tsvector('simple', coalesce(search_text, ''))) stored,
  expires_at timestamptz,
  edited_at timestamptz,
  deleted_at timestamptz,
  quarantined_at timestamptz,
  quarantined_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index messages_channel_created on messages (channel_id, created_at desc, id desc);
create index messages_thread on messages (thread_id, created_at, id) where thread_id is not null;
create index messages_sender on messages (sender_id, created_at desc);
create index messages_reply_to on messages (reply_to_id) where reply_to_id is not null;
create index messages_deleted on messages (deleted_at) where deleted_at is not null;
create index messages_expires on messages (expires_at) where expires_at is not null;
create index messages_search on messages using gin (search_vector) where search_text is not null;
create unique index messages_client_id on messages (sender_id, client_id) where client_id is not null;

create table message_edits (
  id uuid primary key,
  message_id uuid not null references messages (id) on delete cascade,
  old_ciphertext bytea not null,
  old_nonce bytea not null,
  edited_at timestamptz not null default now()
);
create index message_edits_message on message_edits (message_id, edited_at);

create table reactions (
  message_id uuid not null references messages (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  emoji varchar(32) not null,
  created_at timestamptz not null default now(),
  primary key (message_id, user_id, emoji)
);

create table read_cursors (
  user_id uuid not null references users (id) on delete cascade,
  channel_id uuid not null references channels (id) on delete cascade,
  last_read_message_id uuid references messages (id) on delete set null,
  last_read_at timestamptz not null default now(),
  primary key (user_id, channel_id)
);
create index read_cursors_channel on read_cursors (channel_id);

create table channel_slowmode (
  channel_id uuid not null references channels (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  last_sent timestamptz not null default now(),
  primary key (channel_id, user_id)
);

create table pinned_messages (
  message_id uuid primary key references messages (id) on delete cascade,
  channel_id uuid not null references channels (id) on delete cascade,
  pinned_by uuid references users (id) on delete set null,
  pinned_at timestamptz not null default now()
);
create index pinned_messages_channel on pinned_messages (channel_id, pinned_at desc);

create table bookmarks (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  message_id uuid not null references messages (id) on delete cascade,
  note text check (note is null or octet_length(note) <= 500),
  created_at timestamptz not null default now(),
  unique (user_id, message_id)
);
create index bookmarks_user on bookmarks (user_id, created_at desc);

create table scheduled_messages (
  id uuid primary key,
  channel_id uuid not null references channels (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  ciphertext text not null,
  nonce text not null,
  content_preview text,
  scheduled_for timestamptz not null,
  created_at timestamptz not null default now()
);
create index scheduled_messages_due on scheduled_messages (scheduled_for);
create index scheduled_messages_user on scheduled_messages (user_id, scheduled_for);

create table polls (
  id uuid primary key,
  channel_id uuid not null references channels (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  question text not null,
  options jsonb not null,
  multi_select boolean not null default false,
  anonymous boolean not null default false,
  closed boolean not null default false,
  expires_at timestamptz,
  created_at timestamptz not null default now()
);
create index polls_channel on polls (channel_id, created_at desc);
create index polls_expiry on polls (expires_at) where expires_at is not null and not closed;

create table poll_votes (
  poll_id uuid not null references polls (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  option_index integer not null check (option_index >= 0),
  created_at timestamptz not null default now(),
  primary key (poll_id, user_id, option_index)
);
