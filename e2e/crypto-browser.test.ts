import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Party } from './crypto/party.js';
import { bundleForBrowser, launchBrowser } from './support/browser.js';

/**
 * @chatalot/crypto in the browser bundle, talking to the same code in Node: a DM and a group channel
 * between members whose crypto runs in Chromium and in Node, so every envelope crosses between the two.
 */
type PartyMethod = {
  [K in keyof Party]: Party[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Party];

/** A party whose crypto runs in the page. */
class PartyInPage {
  constructor(
    private readonly page: Page,
    readonly userId: string,
  ) {}

  call<K extends PartyMethod>(
    method: K,
    ...args: Parameters<Party[K]>
  ): Promise<Awaited<ReturnType<Party[K]>>> {
    return this.page.evaluate(
      ({ userId, method, args }) => {
        type Callable = Record<string, (...values: unknown[]) => unknown>;
        const party = (globalThis as unknown as { cryptoParty(id: string): Callable }).cryptoParty(userId);
        return party[method]?.(...args);
      },
      { userId: this.userId, method, args },
    ) as Promise<Awaited<ReturnType<Party[K]>>>;
  }
}

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const script = await bundleForBrowser(new URL('./crypto/browser-entry.ts', import.meta.url).pathname);
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.addScriptTag({ content: script });
});

afterAll(async () => {
  await browser?.close();
});

async function introduce(node: Party, inPage: PartyInPage): Promise<void> {
  node.meet(inPage.userId, await inPage.call('publicKeys'));
  await inPage.call('meet', node.userId, await node.publicKeys());
}

function envelopeJson(envelope: number[]): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(envelope)));
}

describe('@chatalot/crypto in Chromium', () => {
  it('round-trips a DM with Node in both directions, out of order, X3DH first', async () => {
    const alice = new Party('alice');
    const bob = new PartyInPage(page, 'bob');
    await introduce(alice, bob);

    const sent = ['hello from Node', 'second', 'third'];
    const envelopes = [];
    for (const text of sent) envelopes.push(await alice.encryptDm('bob', text));
    expect(envelopeJson(envelopes[0] ?? [])).toMatchObject({ v: 1, x3dh: { signed_prekey_id: 1 } });
    expect(new TextDecoder().decode(Uint8Array.from(envelopes[0] ?? []))).not.toContain('hello');

    const order = [2, 0, 1];
    const read = [];
    for (const index of order) read.push(await bob.call('decryptDm', 'alice', envelopes[index] ?? []));
    expect(read).toEqual(order.map((index) => sent[index]));

    const reply = await bob.call('encryptDm', 'alice', 'hello from Chromium');
    expect(envelopeJson(reply).x3dh).toBeUndefined();
    expect(await alice.decryptDm('bob', reply)).toBe('hello from Chromium');
    const after = await alice.encryptDm('bob', 'after the reply');
    expect(await bob.call('decryptDm', 'alice', after)).toBe('after the reply');
  });

  it('carries a group channel between members in Node and in Chromium', async () => {
    const alice = new Party('alice-g');
    const carol = new Party('carol-g');
    const bob = new PartyInPage(page, 'bob-g');
    await introduce(alice, bob);
    await introduce(carol, bob);
    alice.meet(carol.userId, await carol.publicKeys());
    carol.meet(alice.userId, await alice.publicKeys());
    const members = [alice.userId, bob.userId, carol.userId].sort();

    const fromBob = await bob.call('encryptGroup', 'channel-1', 'hi all, from Chromium', members);
    expect(envelopeJson(fromBob.envelope)).toMatchObject({ v: 1, sk: true });
    if (!fromBob.upload) throw new Error('a first group message must come with a distribution');
    for (const member of [alice, carol]) {
      expect(await member.receiveDistribution('channel-1', bob.userId, fromBob.upload)).toBe('stored');
      expect(await member.decryptGroup('channel-1', bob.userId, fromBob.envelope)).toBe(
        'hi all, from Chromium',
      );
    }

    const fromAlice = await alice.encryptGroup('channel-1', 'and back from Node', members);
    if (!fromAlice.upload) throw new Error('a first group message must come with a distribution');
    expect(await bob.call('receiveDistribution', 'channel-1', alice.userId, fromAlice.upload)).toBe('stored');
    expect(await bob.call('decryptGroup', 'channel-1', alice.userId, fromAlice.envelope)).toBe(
      'and back from Node',
    );
    expect(pageErrors).toEqual([]);
  });
});
