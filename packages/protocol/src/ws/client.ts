import { z } from 'zod';
import { byteArrayOf, limitIssue, uuid } from '../rest/common.js';

/** Client → server frames (websocket.md §6), limits of §3 and §6. Unknown fields are ignored. */

const ciphertext = byteArrayOf(1, 65_536, {
  empty: 'message cannot be empty',
  tooLarge: 'message too large',
});
const nonce = byteArrayOf(1, 256, { empty: 'nonce cannot be empty', tooLarge: 'nonce too large' });
const nullableUuid = uuid.nullish().transform((value) => value ?? null);
/** UTF-8 byte length, as the reference counts it. */
const bytesBetween = (min: number, max: number, name: string) =>
  z.string().refine(
    (value) => {
      const length = new TextEncoder().encode(value).length;
      return length >= min && length <= max;
    },
    { message: `${name} must be ${min}-${max} bytes`, ...limitIssue },
  );

export const presenceStatus = z.enum(['online', 'idle', 'dnd', 'invisible', 'offline']);
export type PresenceStatus = z.infer<typeof presenceStatus>;

export const MAX_CHANNELS_PER_SUBSCRIBE = 200;
/** Subscriptions one connection may hold (websocket.md §3). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 500;

/** Our additive correlation id: echoed on the reply or error a frame causes. Reference clients never send it. */
export const frameRef = z.union([z.string().max(64), z.number().int()]);

/** A frame's fields plus the optional `ref`. */
const frame = <Shape extends z.ZodRawShape>(shape: Shape) => z.object({ ...shape, ref: frameRef.optional() });

/** Our additive `resume`: the last `seq` the client holds per channel; the server replays what follows. */
const resumeFrame = frame({
  type: z.literal('resume'),
  channels: z
    .record(uuid, z.number().int().min(0))
    .refine(
      (channels) => Object.keys(channels).length <= MAX_SUBSCRIPTIONS_PER_CONNECTION,
      `cannot resume more than ${MAX_SUBSCRIPTIONS_PER_CONNECTION} channels`,
    ),
});

export const clientFrame = z.discriminatedUnion('type', [
  frame({ type: z.literal('authenticate'), token: z.string().max(8192) }),
  frame({
    type: z.literal('send_message'),
    channel_id: uuid,
    ciphertext,
    nonce,
    message_type: z.string(),
    reply_to: nullableUuid,
    sender_key_id: nullableUuid,
    thread_id: nullableUuid,
    /** Ours: a retried send with the same id returns the first message instead of a duplicate. */
    client_id: z.string().min(1).max(64).optional(),
  }),
  frame({ type: z.literal('edit_message'), message_id: uuid, ciphertext, nonce }),
  frame({ type: z.literal('delete_message'), message_id: uuid }),
  frame({ type: z.literal('update_presence'), status: presenceStatus }),
  frame({ type: z.literal('typing'), channel_id: uuid }),
  frame({ type: z.literal('stop_typing'), channel_id: uuid }),
  frame({ type: z.literal('subscribe'), channel_ids: z.array(uuid) }),
  frame({ type: z.literal('unsubscribe'), channel_ids: z.array(uuid) }),
  frame({
    type: z.literal('rtc_offer'),
    target_user_id: uuid,
    session_id: uuid,
    sdp: bytesBetween(1, 32_768, 'sdp'),
  }),
  frame({
    type: z.literal('rtc_answer'),
    target_user_id: uuid,
    session_id: uuid,
    sdp: bytesBetween(1, 32_768, 'sdp'),
  }),
  frame({
    type: z.literal('rtc_ice_candidate'),
    target_user_id: uuid,
    session_id: uuid,
    candidate: bytesBetween(1, 2048, 'candidate'),
  }),
  frame({ type: z.literal('join_voice'), channel_id: uuid }),
  frame({ type: z.literal('leave_voice'), channel_id: uuid }),
  frame({ type: z.literal('kick_from_voice'), channel_id: uuid, user_id: uuid }),
  frame({ type: z.literal('add_reaction'), message_id: uuid, emoji: z.string() }),
  frame({ type: z.literal('remove_reaction'), message_id: uuid, emoji: z.string() }),
  frame({ type: z.literal('mark_read'), channel_id: uuid, message_id: uuid }),
  frame({ type: z.literal('mark_all_read') }),
  frame({ type: z.literal('ping'), timestamp: z.number().int() }),
  resumeFrame,
]);

export type ClientFrame = z.infer<typeof clientFrame>;
export type ClientFrameType = ClientFrame['type'];
