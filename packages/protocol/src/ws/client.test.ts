import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientFrame } from './client.js';

/** The example frames of websocket.md §6, copied verbatim: what reference clients send. */
const golden: Array<{ type: string }> = JSON.parse(
  readFileSync(new URL('../../fixtures/ws/client-frames.json', import.meta.url), 'utf8'),
);

const channel = '0190c3a2-1111-7000-8000-00000000000c';

describe('client frames', () => {
  it('cover all 20 frame types of the reference', () => {
    expect(new Set(golden.map((frame) => frame.type)).size).toBe(20);
  });

  it.each(golden.map((frame) => [frame.type, frame]))(
    'accept the reference example of %s',
    (_type, frame) => {
      expect(clientFrame.safeParse(frame).success).toBe(true);
    },
  );

  it('treat absent and null optional ids alike', () => {
    const parsed = clientFrame.parse({
      type: 'send_message',
      channel_id: channel,
      ciphertext: [1],
      nonce: [1],
      message_type: 'text',
    });
    expect(parsed).toMatchObject({ reply_to: null, thread_id: null, sender_key_id: null });
  });

  it.each([
    ['an unknown type', { type: 'launch_rockets' }],
    ['no type', { channel_id: channel }],
    ['an empty ciphertext', { type: 'edit_message', message_id: channel, ciphertext: [], nonce: [1] }],
    [
      'a ciphertext over 64 KiB',
      { type: 'edit_message', message_id: channel, ciphertext: Array(65_537).fill(0), nonce: [1] },
    ],
    ['a byte over 255', { type: 'edit_message', message_id: channel, ciphertext: [256], nonce: [1] }],
    [
      'a nonce over 256 bytes',
      { type: 'edit_message', message_id: channel, ciphertext: [1], nonce: Array(257).fill(0) },
    ],
    ['a channel id that is not a UUID', { type: 'typing', channel_id: 'general' }],
    ['an unknown presence', { type: 'update_presence', status: 'away' }],
    [
      'an SDP over 32 KiB',
      { type: 'rtc_offer', target_user_id: channel, session_id: channel, sdp: 'é'.repeat(16_385) },
    ],
    ['a fractional ping timestamp', { type: 'ping', timestamp: 1.5 }],
  ])('refuse %s', (_name, frame) => {
    expect(clientFrame.safeParse(frame).success).toBe(false);
  });
});
