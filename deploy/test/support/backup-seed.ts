import { Secret, TOTP } from 'otpauth';
import { type Account, Rest } from '../../../e2e/support/rest.js';
import { type Frame, TestSocket } from '../../../packages/server/test/ws-client.js';

/** What a test needs to check an instance after it was restored. */
export interface SeededInstance {
  alice: Account;
  /** Has two-factor authentication on: signing in needs the restored TOTP key. */
  carol: Account & { totpSecret: string };
  channelId: string;
  dmChannelId: string;
  /** The channel's messages as the API answered them before the backup. */
  history: unknown;
}

export const totpCode = (secret: string, ms = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: ms,
  });

const bytes = (text: string) => [...Buffer.from(text)];

/**
 * Fills an instance through its API with a bit of everything: accounts with E2E keys, a community, group
 * and channel, messages with an edit, a reply, a thread, reactions, a pin, a bookmark, a poll with a vote,
 * a scheduled message, a sender-key distribution, a DM and one account with 2FA. The server runs with
 * REGISTRATION_MODE=open.
 */
export async function seedInstance(baseUrl: string): Promise<SeededInstance> {
  const rest = new Rest(baseUrl);
  const [alice, bob, carol] = [await rest.register(), await rest.register(), await rest.register()];
  const { channelId } = await rest.sharedChannel(alice, [bob, carol], 'Backups');
  const socket = await TestSocket.connect(baseUrl, alice.access_token);
  const bobSocket = await TestSocket.connect(baseUrl, bob.access_token);
  try {
    const first = await send(socket, { channel_id: channelId, ciphertext: bytes('first') });
    await send(socket, { channel_id: channelId, ciphertext: bytes('reply'), reply_to: first.id });
    await send(bobSocket, { channel_id: channelId, ciphertext: bytes('in a thread'), thread_id: first.id });
    socket.send({
      type: 'edit_message',
      message_id: first.id,
      ciphertext: bytes('first, edited'),
      nonce: [2],
    });
    bobSocket.send({ type: 'add_reaction', message_id: first.id, emoji: '👍' });
    bobSocket.send({ type: 'mark_read', channel_id: channelId, message_id: first.id });
    await socket.roundTrip();
    await bobSocket.roundTrip();
    await rest.api('POST', `/api/channels/${channelId}/pins/${first.id}`, alice);
    await rest.api('POST', '/api/bookmarks', bob, { message_id: first.id, note: 'keep this' });
    const poll = await rest.api<{ id: string }>('POST', `/api/channels/${channelId}/polls`, alice, {
      question: 'Lunch?',
      options: ['Pizza', 'Soup'],
    });
    await rest.api('POST', `/api/polls/${poll.id}/vote`, bob, { option_index: 1 });
    await rest.api('POST', '/api/messages/schedule', alice, {
      channel_id: channelId,
      ciphertext: '[1,2,3]',
      nonce: '[4]',
      scheduled_for: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await rest.api('POST', `/api/channels/${channelId}/sender-keys`, bob, {
      chain_id: 7,
      distribution: {
        chain_id: 7,
        iteration: 0,
        chain_key: Array(32).fill(1),
        sender_id: bytes(bob.user.id),
      },
    });
    const dm = await rest.api<{ channel: { id: string } }>('POST', '/api/dms', alice, {
      target_user_id: bob.user.id,
    });
    await send(socket, { channel_id: dm.channel.id, ciphertext: bytes('a direct message') });
    const totpSecret = await enableTotp(rest, carol);
    const history = await rest.api('GET', `/api/channels/${channelId}/messages`, alice);
    return { alice, carol: { ...carol, totpSecret }, channelId, dmChannelId: dm.channel.id, history };
  } finally {
    socket.close();
    bobSocket.close();
  }
}

let sent = 0;
async function send(socket: TestSocket, fields: Record<string, unknown>): Promise<Frame> {
  sent += 1;
  const ref = `seed-${sent}`;
  socket.send({ type: 'send_message', nonce: [1], message_type: 'text', ref, ...fields });
  const reply = await socket.reply(ref);
  if (reply.type !== 'message_sent') throw new Error(`send failed: ${JSON.stringify(reply)}`);
  return reply;
}

async function enableTotp(rest: Rest, account: Account): Promise<string> {
  const setup = await rest.api<{ secret: string }>('POST', '/api/totp/setup', account);
  await rest.api('POST', '/api/totp/verify', account, { code: totpCode(setup.secret) });
  return setup.secret;
}

/**
 * Signs in as the 2FA account with its password and a code of the next 30 s step (the current one may
 * already be spent: codes are single-use).
 */
export async function signInWithTotp(baseUrl: string, account: SeededInstance['carol']): Promise<Account> {
  const rest = new Rest(baseUrl);
  const auth = await rest.api<Account>('POST', '/api/auth/login', null, {
    username: account.username,
    password: account.password,
    totp_code: totpCode(account.totpSecret, Date.now() + 30_000),
  });
  return auth;
}
