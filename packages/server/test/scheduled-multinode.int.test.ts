import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuthResponse, ScheduledMessage } from '@chatalot/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from './factories.js';
import { createTestDatabase, type TestDatabase } from './harness.js';
import { api } from './http-client.js';
import { type RunningServer, startServer } from './server-process.js';

const ITEMS = 30;
const DUE_IN_MS = 2_500;
/** Due times spread over a few delivery intervals, so that both processes deliver some. */
const SPACING_MS = 100;
/** One delivery interval, plus slack for a loaded machine. */
const LATE_AT_MOST_MS = 5_000;

let database: TestDatabase;
let dataDir: string;
let nodes: RunningServer[] = [];
let token: string;
let channelId: string;

/** `api` with the test user's token. */
function request<T>(node: RunningServer, method: string, url: string, body?: object): Promise<T> {
  return api<T>(node.baseUrl, method, url, { token, body });
}

function startNode(): Promise<RunningServer> {
  return startServer({
    DATABASE_URL: database.url ?? '',
    DATA_DIR: dataDir,
    REGISTRATION_MODE: 'open',
    // `startServer` waits for the info-level "Chatalot is listening" line.
    LOG_LEVEL: 'info',
  });
}

/** The owner's channel in a fresh community and group. */
async function createChannel(node: RunningServer): Promise<string> {
  const community = await request<{ id: string }>(node, 'POST', '/api/communities', { name: 'Timers' });
  const groupBody = { community_id: community.id, name: 'General', visibility: 'public' };
  const group = await request<{ id: string }>(node, 'POST', '/api/groups', groupBody);
  const channelBody = { name: 'later', channel_type: 'text' };
  return (await request<{ id: string }>(node, 'POST', `/api/groups/${group.id}/channels`, channelBody)).id;
}

const pendingCount = async () =>
  Number(
    (
      await database.database.db
        .selectFrom('scheduled_messages')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow()
    ).count,
  );

describe.skipIf(!process.env.TEST_DATABASE_URL)('scheduled delivery with two server processes', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-scheduled-'));
    nodes = [await startNode(), await startNode()];
    const [first] = nodes as [RunningServer];
    token = (await request<AuthResponse>(first, 'POST', '/api/auth/register', registrationBody()))
      .access_token;
    channelId = await createChannel(first);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop('SIGTERM')));
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every item exactly once, on time', async () => {
    const due = Date.now() + DUE_IN_MS;
    const items = await Promise.all(
      Array.from({ length: ITEMS }, (_, i) =>
        request<ScheduledMessage>(nodes[i % 2] as RunningServer, 'POST', '/api/messages/schedule', {
          channel_id: channelId,
          ciphertext: JSON.stringify([...Buffer.from(`message ${i}`)]),
          nonce: '[1,2,3]',
          scheduled_for: new Date(due + i * SPACING_MS).toISOString(),
        }),
      ),
    );

    await expect.poll(pendingCount, { timeout: 15_000, interval: 200 }).toBe(0);

    const rows = await database.database.db
      .selectFrom('messages')
      .select(['client_id', 'ciphertext', 'created_at'])
      .where('channel_id', '=', channelId)
      .execute();
    expect(rows.map((row) => row.client_id).sort()).toEqual(
      items.map((item) => `scheduled:${item.id}`).sort(),
    );
    for (const [i, item] of items.entries()) {
      const row = rows.find((candidate) => candidate.client_id === `scheduled:${item.id}`);
      expect(Buffer.from(row?.ciphertext ?? []).toString()).toBe(`message ${i}`);
      const lateBy = (row?.created_at.getTime() ?? 0) - Date.parse(item.scheduled_for);
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThan(LATE_AT_MOST_MS);
    }
  });
});
