import type { ScheduledMessage } from '@chatalot/protocol';
import type { ScheduledRecord } from './scheduled.repo.js';

/** ScheduledMessage (rest-api.md §1.11): the ciphertext stays on the server until delivery. */
export function presentScheduled(item: ScheduledRecord): ScheduledMessage {
  return {
    id: item.id,
    channel_id: item.channel_id,
    scheduled_for: item.scheduled_for.toISOString(),
    created_at: item.created_at.toISOString(),
    ...(item.content_preview && { content_preview: item.content_preview }),
  };
}
