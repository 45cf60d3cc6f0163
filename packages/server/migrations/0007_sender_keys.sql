-- Sender-key distributions (data-model.md sender_key_distributions, e2e-encryption.md §3.3): each member's
-- current group-encryption chain per channel, opaque to the server. One live row per (channel, member); an
-- upload replaces it with a new id and time. Removing a member from a channel deletes their row.
create table sender_key_distributions (
  id uuid primary key,
  channel_id uuid not null references channels (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  chain_id bigint not null check (chain_id >= 0),
  distribution jsonb not null,
  created_at timestamptz not null default now(),
  -- Also the index for a channel's list: channel_id leads.
  unique (channel_id, user_id)
);
-- Deleting an account cascades here by user.
create index sender_key_distributions_user on sender_key_distributions (user_id);
