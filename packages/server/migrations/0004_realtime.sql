-- Real-time gateway (websocket.md §14.3): a durable per-channel event log for lossless `resume`, and the
-- presence status a user chose, so an invisible user is never announced online when a device connects.

-- The last sequence number handed out per channel; its row lock orders concurrent writers of one channel.
create table channel_event_seq (
  channel_id uuid primary key references channels (id) on delete cascade,
  seq bigint not null check (seq > 0)
);

-- Every channel event, written in the same transaction as the change it reports; kept at least 24 hours.
create table channel_events (
  channel_id uuid not null references channels (id) on delete cascade,
  seq bigint not null,
  frame jsonb not null,
  created_at timestamptz not null default now(),
  primary key (channel_id, seq)
);
create index channel_events_created_at on channel_events (created_at);

alter table users add column presence_status varchar(16) not null default 'online'
  check (presence_status in ('online', 'dnd', 'invisible'));
