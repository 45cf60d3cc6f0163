import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCryptoError } from '../../src/index.js';
import {
  createTemplate,
  expectUnchanged,
  FakeServer,
  type Party,
  partyFrom,
  read,
  sessionsFor,
  text,
} from './harness.js';

type Side = 0 | 1;

type Action =
  | { kind: 'send'; from: Side }
  | { kind: 'deliver'; pick: number; withId: boolean }
  | { kind: 'burst'; pick: number; count: number }
  | { kind: 'duplicate'; pick: number; withId: boolean }
  | { kind: 'drop'; pick: number }
  | { kind: 'restart'; side: Side };

interface Sent {
  id: string;
  to: Side;
  envelope: Uint8Array;
  plaintext: string;
  cachedById?: boolean;
}

const side = fc.constantFrom<Side>(0, 1);
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('send' as const), from: side }), weight: 5 },
  {
    arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), withId: fc.boolean() }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      pick: fc.nat(),
      count: fc.integer({ min: 2, max: 4 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat(), withId: fc.boolean() }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const), side }), weight: 1 },
);

/** Two parties, a lossy reordering network, restarts; the model says what each delivery must yield. */
class DmWorld {
  readonly parties: Party[];
  readonly inFlight: Sent[] = [];
  readonly delivered: Sent[] = [];
  private sequence = 0;

  constructor(
    private readonly server: FakeServer,
    parties: Party[],
  ) {
    this.parties = parties;
  }

  async send(from: Side): Promise<void> {
    const to: Side = from === 0 ? 1 : 0;
    const plaintext = `message ${this.sequence++} from ${from}`;
    const envelope = await this.party(from).dm.encrypt(this.party(to).userId, text(plaintext));
    this.inFlight.push({ id: `m${this.sequence}`, to, envelope, plaintext });
  }

  async deliver(message: Sent, withId: boolean): Promise<void> {
    const from = this.party(message.to === 0 ? 1 : 0).userId;
    const options = withId ? { messageId: message.id } : {};
    const result = await this.party(message.to).dm.decrypt(from, message.envelope, options);
    expect(read(result.plaintext)).toBe(message.plaintext);
    this.delivered.push({ ...message, cachedById: withId });
  }

  /** A cached re-read returns the text; anything else is a duplicate and must change nothing. */
  async duplicate(message: Sent, withId: boolean): Promise<void> {
    const receiver = this.party(message.to);
    const from = this.party(message.to === 0 ? 1 : 0).userId;
    if (withId && message.cachedById) {
      const result = await receiver.dm.decrypt(from, message.envelope, { messageId: message.id });
      expect(read(result.plaintext)).toBe(message.plaintext);
      return;
    }
    const before = receiver.store.snapshot();
    const error = await receiver.dm
      .decrypt(from, message.envelope, withId ? { messageId: message.id } : {})
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isCryptoError(error, 'duplicate_message')).toBe(true);
    expectUnchanged(receiver.store, before);
  }

  take(pick: number): Sent | undefined {
    if (this.inFlight.length === 0) return undefined;
    return this.inFlight.splice(pick % this.inFlight.length, 1)[0];
  }

  restart(which: Side): void {
    const party = this.party(which);
    this.parties[which] = sessionsFor(this.server, party.userId, party.store);
  }

  party(which: Side): Party {
    return this.parties[which] as Party;
  }
}

async function run(world: DmWorld, step: Action): Promise<void> {
  switch (step.kind) {
    case 'send':
      return world.send(step.from);
    case 'deliver': {
      const message = world.take(step.pick);
      if (message) await world.deliver(message, step.withId);
      return;
    }
    case 'burst': {
      // Concurrent decrypts of one receiver: the per-peer lock must serialise them.
      const target = world.inFlight[step.pick % Math.max(1, world.inFlight.length)]?.to;
      const burst = world.inFlight.filter((m) => m.to === target).slice(0, step.count);
      for (const message of burst) world.inFlight.splice(world.inFlight.indexOf(message), 1);
      await Promise.all(burst.map((message) => world.deliver(message, true)));
      return;
    }
    case 'duplicate': {
      const message = world.delivered[step.pick % Math.max(1, world.delivered.length)];
      if (message) await world.duplicate(message, step.withId);
      return;
    }
    case 'drop':
      world.take(step.pick);
      return;
    case 'restart':
      return world.restart(step.side);
  }
}

describe('DM sessions under an adversarial network (property)', () => {
  it('decrypts every delivered message exactly once and stays usable', async () => {
    const templates = await Promise.all(['alice', 'bob'].map(createTemplate));
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 40 }), async (actions) => {
        const server = new FakeServer();
        const world = new DmWorld(server, await Promise.all(templates.map((t) => partyFrom(server, t))));
        for (const step of actions) await run(world, step);
        while (world.inFlight.length > 0) await run(world, { kind: 'deliver', pick: 0, withId: false });
        for (let round = 0; round < 2; round++) {
          for (const from of [0, 1] as const) {
            await world.send(from);
            await run(world, { kind: 'deliver', pick: 0, withId: false });
          }
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
