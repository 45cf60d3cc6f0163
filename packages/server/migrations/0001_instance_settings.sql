-- Runtime settings that admins change from the admin panel (server-behaviour.md §12).
create table instance_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);

insert into instance_settings (key, value) values
  ('max_messages_cache', '500'),
  ('max_pins_per_channel', '50'),
  ('e2e_enabled', 'true');
