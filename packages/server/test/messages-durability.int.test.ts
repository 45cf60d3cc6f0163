import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { gatewayWorld } from './gateway-world.js';
import { databaseKind } from './harness.js';
import type { Frame, TestSocket } from './ws-client.js';

const { database, channelId, connect } = await gatewayWorld();
const { db } = database;
const SENDS = 60;

function send(socket: TestSocket, clientId: string): Promise<Frame> {
  socket.send({
    type: 'send_message',
    channel_id: channelId,
    ciphertext: [...Buffer.from(clientId)],
    nonce: [1],
    message_type: 'text',
    client_id: clientId,
    ref: clientId,
  });
  return socket.reply(clientId, 20_000);
}

/** Cuts every other connection to this database, as a crash or a network failure of the database would. */
async function killDatabaseConnections(): Promise<void> {
  await sql`select pg_terminate_backend(pid) from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`.execute(db);
}

const storedIds = async (clientIds: string[]) =>
  db.selectFrom('messages').select(['id', 'client_id']).where('client_id', 'in', clientIds).execute();

describe.skipIf(databaseKind === 'embedded')('sending while database connections die', () => {
  it('never acknowledges an unstored message, and retrying with the same client id stores each exactly once', async () => {
    const senders = ['member', 'moderator', 'communityAdmin', 'communityOwner'] as const;
    const sockets = await Promise.all([...senders, ...senders].map((name) => connect(name)));
    const clientIds = Array.from({ length: SENDS }, (_, index) => `durable-${index}`);
    const outcomes = clientIds.map((clientId, index) =>
      send(sockets[index % sockets.length] as TestSocket, clientId),
    );
    await killDatabaseConnections();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await killDatabaseConnections();
    const results = await Promise.all(outcomes);

    const stored = new Map((await storedIds(clientIds)).map((row) => [row.client_id, row.id]));
    for (const [index, result] of results.entries()) {
      if (result.type === 'message_sent') expect(stored.get(clientIds[index] as string)).toBe(result.id);
    }

    const acked = new Map<string, string>();
    for (let round = 0; round < 5 && acked.size < SENDS; round += 1) {
      const pending = clientIds.filter((clientId) => !acked.has(clientId));
      const replies = await Promise.all(
        pending.map((clientId, index) => send(sockets[index % sockets.length] as TestSocket, clientId)),
      );
      for (const [index, reply] of replies.entries()) {
        if (reply.type === 'message_sent') acked.set(pending[index] as string, reply.id as string);
      }
    }
    const final = await storedIds(clientIds);
    expect(final).toHaveLength(SENDS);
    expect(new Map(final.map((row) => [row.client_id, row.id]))).toEqual(acked);
  });
});
