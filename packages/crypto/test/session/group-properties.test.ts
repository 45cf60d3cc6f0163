import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCryptoError } from '../../src/index.js';
import type { SenderKeyUpload } from '../../src/session/index.js';
import { createTemplate, expectUnchanged, FakeServer, type Party, partyFrom, read, text } from './harness.js';

const USERS = ['u0', 'u1', 'u2', 'u3'];
const CHANNEL = 'channel';
/** Keeps every sender below MAX_CHAINS_PER_SENDER chains, so no chain a member needs is dropped. */
const MAX_MEMBERSHIP_CHANGES = 6;

type Action =
  | { kind: 'send' | 'join' | 'leave' | 'kick'; user: number }
  | { kind: 'deliver'; pick: number }
  | { kind: 'duplicate'; pick: number; withId: boolean };

interface GroupMessage {
  id: string;
  sender: string;
  envelope: Uint8Array;
  plaintext: string;
  /** Members other than the sender when it was sent: exactly these may read it. */
  audience: ReadonlySet<string>;
}

type Delivery =
  | { kind: 'message'; to: string; message: GroupMessage }
  | { kind: 'distribution'; to: string; upload: SenderKeyUpload };

const user = fc.nat({ max: USERS.length - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom('send' as const), user }), weight: 4 },
  {
    arbitrary: fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const, 'kick' as const), user }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }), weight: 6 },
  {
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat(), withId: fc.boolean() }),
    weight: 1,
  },
);

/** A channel on a fake server that relays every event to everyone, members or not (stale subscriptions). */
class GroupWorld {
  readonly members = new Set(['u0', 'u1', 'u2']);
  readonly pending: Delivery[] = [];
  readonly read: { to: string; message: GroupMessage }[] = [];
  private membershipChanges = 0;
  private sequence = 0;

  constructor(
    private readonly server: FakeServer,
    private readonly parties: Map<string, Party>,
  ) {}

  async send(sender: string): Promise<void> {
    if (!this.members.has(sender)) return;
    const memberIds = [...this.members];
    const plaintext = `message ${this.sequence++} from ${sender}`;
    const envelope = await this.party(sender).group.encrypt(
      CHANNEL,
      text(plaintext),
      memberIds,
      async (upload) => {
        this.server.uploadSenderKey(CHANNEL, sender, upload);
        this.broadcast(sender, (to) => ({ kind: 'distribution', to, upload }));
      },
    );
    const audience = new Set(memberIds.filter((id) => id !== sender));
    const message = { id: `m${this.sequence}`, sender, envelope, plaintext, audience };
    this.broadcast(sender, (to) => ({ kind: 'message', to, message }));
  }

  async changeMembership(kind: 'join' | 'leave' | 'kick', userId: string): Promise<void> {
    if (this.membershipChanges >= MAX_MEMBERSHIP_CHANGES) return;
    if ((kind === 'join') === this.members.has(userId)) return;
    this.membershipChanges++;
    if (kind === 'join') return void this.members.add(userId);
    this.members.delete(userId);
    if (kind === 'kick') {
      this.server.deleteSenderKey(CHANNEL, userId);
      for (const member of this.members) await this.party(member).group.rotationRequired(CHANNEL);
    }
  }

  /** Returns false when a member could not read the message yet (its distribution is still on the way). */
  async deliver(delivery: Delivery, final: boolean): Promise<boolean> {
    const party = this.party(delivery.to);
    if (delivery.kind === 'distribution') {
      const { distribution } = delivery.upload;
      const outcome = await party.group.handleDistribution(CHANNEL, distribution.sender_id, distribution);
      expect(outcome === 'not_recipient').toBe(!Object.hasOwn(distribution.recipients, delivery.to));
      return true;
    }
    const { message } = delivery;
    const options = { messageId: message.id };
    const outcome = await party.group.decrypt(CHANNEL, message.sender, message.envelope, options).then(
      (result) => read(result.plaintext),
      (error: unknown) => error,
    );
    if (typeof outcome === 'string') {
      expect(message.audience.has(delivery.to), `${delivery.to} read ${message.id}`).toBe(true);
      expect(outcome).toBe(message.plaintext);
      this.read.push({ to: delivery.to, message });
      return true;
    }
    expect(isCryptoError(outcome, 'unknown_chain'), String(outcome)).toBe(true);
    if (final)
      expect(message.audience.has(delivery.to), `${delivery.to} cannot read ${message.id}`).toBe(false);
    return final || !message.audience.has(delivery.to);
  }

  async duplicate(pick: number, withId: boolean): Promise<void> {
    const entry = this.read[pick % Math.max(1, this.read.length)];
    if (!entry) return;
    const { to, message } = entry;
    const party = this.party(to);
    if (withId) {
      const result = await party.group.decrypt(CHANNEL, message.sender, message.envelope, {
        messageId: message.id,
      });
      expect(read(result.plaintext)).toBe(message.plaintext);
      return;
    }
    const before = party.store.snapshot();
    const error = await party.group
      .decrypt(CHANNEL, message.sender, message.envelope)
      .catch((e: unknown) => e);
    expect(isCryptoError(error, 'duplicate_message')).toBe(true);
    expectUnchanged(party.store, before);
  }

  async deliverPick(pick: number): Promise<void> {
    if (this.pending.length === 0) return;
    const [delivery] = this.pending.splice(pick % this.pending.length, 1);
    if (delivery && !(await this.deliver(delivery, false))) this.pending.push(delivery);
  }

  /** Everything still in flight arrives: distributions first, then the messages waiting for them. */
  async drain(): Promise<void> {
    const ordered = [...this.pending].sort((a, b) =>
      a.kind === b.kind ? 0 : a.kind === 'distribution' ? -1 : 1,
    );
    this.pending.length = 0;
    for (const delivery of ordered) await this.deliver(delivery, true);
  }

  private broadcast(sender: string, delivery: (to: string) => Delivery): void {
    for (const to of USERS) if (to !== sender) this.pending.push(delivery(to));
  }

  private party(userId: string): Party {
    return this.parties.get(userId) as Party;
  }
}

async function run(world: GroupWorld, step: Action): Promise<void> {
  switch (step.kind) {
    case 'send':
      return world.send(USERS[step.user] as string);
    case 'deliver':
      return world.deliverPick(step.pick);
    case 'duplicate':
      return world.duplicate(step.pick, step.withId);
    default:
      return world.changeMembership(step.kind, USERS[step.user] as string);
  }
}

describe('group channel with membership changes (property)', () => {
  it('members read exactly what was sent while they were members, each message once', async () => {
    const templates = await Promise.all(USERS.map(createTemplate));
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 35 }), async (actions) => {
        const server = new FakeServer();
        const parties = await Promise.all(templates.map((template) => partyFrom(server, template)));
        const world = new GroupWorld(server, new Map(parties.map((party) => [party.userId, party])));
        for (const step of actions) await run(world, step);
        await world.drain();
        const readBy = world.read.map(({ to, message }) => `${to}:${message.id}`);
        expect(new Set(readBy).size).toBe(readBy.length);
      }),
      { numRuns: 150 },
    );
  }, 180_000);
});
