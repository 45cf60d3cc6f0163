import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deserializeSession,
  type RatchetMessage,
  type RatchetSession,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeSession,
  utf8Decode,
  utf8Encode,
} from '../src/index.js';
import { establishSessions, expectCryptoError } from './helpers.js';

type Party = 'alice' | 'bob';

interface InFlight {
  to: Party;
  text: string;
  message: RatchetMessage;
  delivered: boolean;
}

type Command =
  | { kind: 'send'; from: Party }
  | { kind: 'deliver' | 'duplicate' | 'drop'; pick: number }
  | { kind: 'restore'; party: Party };

const party = fc.constantFrom<Party>('alice', 'bob');
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), from: party }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), party }) },
);

/** Two parties; the network reorders, drops and duplicates; each state may be persisted and reloaded. */
class Conversation {
  sessions: Record<Party, RatchetSession>;
  inFlight: InFlight[] = [];
  sent = 0;
  decrypted = 0;

  constructor() {
    this.sessions = establishSessions();
  }

  run(step: Command): void {
    if (step.kind === 'send') this.send(step.from);
    else if (step.kind === 'restore') this.restore(step.party);
    else if (step.kind === 'deliver') this.deliver(this.pick(step.pick, false));
    else if (step.kind === 'duplicate') this.duplicate(this.pick(step.pick, true));
    else this.drop(this.pick(step.pick, false));
  }

  /** Lets the network settle: everything not dropped arrives, then every message is replayed. */
  settle(): void {
    for (const item of this.inFlight.filter((candidate) => !candidate.delivered)) this.deliver(item);
    for (const item of this.inFlight) this.duplicate(item);
    expect(this.decrypted).toBe(this.inFlight.length);
  }

  private pick(index: number, delivered: boolean): InFlight | undefined {
    const candidates = this.inFlight.filter((item) => item.delivered === delivered);
    return candidates[index % Math.max(1, candidates.length)];
  }

  private send(from: Party): void {
    const session = this.sessions[from];
    const text = `${from} ${this.sent++}`;
    if (session.sendingChainKey === null) {
      expectCryptoError(() => ratchetEncrypt(session, utf8Encode(text)), 'no_sending_chain');
      return;
    }
    const result = ratchetEncrypt(session, utf8Encode(text));
    this.sessions[from] = result.session;
    this.inFlight.push({
      to: from === 'alice' ? 'bob' : 'alice',
      text,
      message: result.message,
      delivered: false,
    });
  }

  private deliver(item: InFlight | undefined): void {
    if (!item) return;
    const result = ratchetDecrypt(this.sessions[item.to], item.message);
    expect(utf8Decode(result.plaintext)).toBe(item.text);
    this.sessions[item.to] = result.session;
    item.delivered = true;
    this.decrypted++;
  }

  private duplicate(item: InFlight | undefined): void {
    if (!item) return;
    const session = this.sessions[item.to];
    const before = serializeSession(session);
    expectCryptoError(() => ratchetDecrypt(session, item.message), 'duplicate_message');
    expect(serializeSession(session)).toBe(before);
  }

  private drop(item: InFlight | undefined): void {
    this.inFlight = this.inFlight.filter((candidate) => candidate !== item);
  }

  private restore(who: Party): void {
    const json = serializeSession(this.sessions[who]);
    this.sessions[who] = deserializeSession(json);
    expect(serializeSession(this.sessions[who])).toBe(json);
  }
}

describe('Double Ratchet under an adversarial network (property)', () => {
  it('decrypts every delivered message exactly once and rejects every duplicate', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), (commands) => {
        const conversation = new Conversation();
        for (const step of commands) conversation.run(step);
        conversation.settle();
      }),
      { numRuns: 150 },
    );
  });
});
