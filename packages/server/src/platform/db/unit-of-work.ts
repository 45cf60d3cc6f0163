import type { Kysely, Transaction } from 'kysely';
import { appendToEventLog } from '../events/event-log.js';
import type { DomainEvent, EventHub } from '../events/hub.js';
import type { Schema } from './schema.js';

export type Emit = (event: DomainEvent) => void;

/**
 * Runs `work` in a transaction and publishes the events it emitted only once the transaction has
 * committed; a rollback publishes nothing. Channel frames are written to the event log in the same transaction
 * (so `resume` can replay them). This is the only way a domain should emit events.
 */
export async function inTransaction<T>(
  db: Kysely<Schema>,
  hub: EventHub,
  work: (trx: Transaction<Schema>, emit: Emit) => Promise<T>,
): Promise<T> {
  const pending: DomainEvent[] = [];
  const result = await db.transaction().execute(async (trx) => {
    const value = await work(trx, (event) => pending.push(event));
    await appendToEventLog(trx, pending);
    return value;
  });
  for (const event of pending) hub.publish(event);
  return result;
}
