import { Party } from './party.js';

/** The browser side of crypto-browser.test.ts: parties live in the page, driven by name. */
const parties = new Map<string, Party>();

function party(userId: string): Party {
  const existing = parties.get(userId);
  if (existing) return existing;
  const created = new Party(userId);
  parties.set(userId, created);
  return created;
}

Object.assign(globalThis, { cryptoParty: party });
