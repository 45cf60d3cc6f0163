-- The event log stores each frame exactly as the server serialised it: `text`, not `jsonb`. PostgreSQL never
-- looks inside a frame, and converting every message (its ciphertext as a JSON array of numbers) to jsonb and
-- back cost more than the rest of the insert.
alter table channel_events alter column frame type text using frame::text;
