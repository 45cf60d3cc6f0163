import type { PresenceBulkFrame, PresenceStatus, VisibleStatus } from '@chatalot/protocol';
import { sql } from 'kysely';
import type { Db } from '../platform/db/schema.js';
import { type EventHub, frameEvent } from '../platform/events/hub.js';
import type { ConnectionIdentity } from './connection.js';
import { type ChosenStatus, type SharedState, visibleStatus } from './shared-state.js';

/** Reference clients cap presence fan-out here; we keep the cap so one event stays bounded. */
const MAX_MATES = 5_000;

/**
 * Presence aggregated over a user's devices (websocket.md §10, fixed): the status a user chose (online, dnd,
 * invisible; persisted) combined with each device's activity. Invisible reads as offline everywhere, bulk
 * included. Only people who share a community or a DM with the user hear about it.
 */
export class Presence {
  constructor(
    private readonly db: Db,
    private readonly shared: SharedState,
    private readonly hub: EventHub,
  ) {}

  /**
   * Registers a new connection and announces it; null when the user already has `max` live ones, otherwise the
   * user's mates (read once for the announcement and the connection's `bulk`).
   */
  async connect(connection: ConnectionIdentity, max: number, chosen: ChosenStatus): Promise<string[] | null> {
    const before = await this.visible(connection.userId);
    if (!(await this.shared.addConnection(connection, max, chosen))) return null;
    const mates = await this.mates(connection.userId);
    await this.announceIfChanged(connection.userId, before, mates);
    return mates;
  }

  async disconnect(connection: ConnectionIdentity): Promise<void> {
    const before = await this.visible(connection.userId);
    await this.shared.removeConnection(connection);
    await this.announceIfChanged(connection.userId, before);
  }

  /** `update_presence`: idle and online describe this device; online, dnd and invisible are the user's choice. */
  async update(connection: ConnectionIdentity, status: PresenceStatus): Promise<void> {
    const before = await this.visible(connection.userId);
    await this.shared.setActivity(connection, status === 'idle' ? 'idle' : 'active');
    const chosen = chosenFrom(status);
    if (chosen !== null) {
      await this.shared.setChosen(connection.userId, chosen);
      await this.db
        .updateTable('users')
        .set({ presence_status: chosen })
        .where('id', '=', connection.userId)
        .where('presence_status', '<>', chosen)
        .execute();
    }
    await this.announceIfChanged(connection.userId, before);
  }

  /** The mates that are visibly present, for `presence_bulk`; invisible mates are not listed. */
  async bulk(mates: readonly string[]): Promise<PresenceBulkFrame> {
    const presence = await this.shared.presenceOf(mates);
    const statuses: PresenceBulkFrame['statuses'] = [];
    for (const [mateId, state] of presence) {
      const status = visibleStatus(state);
      if (status !== 'offline') statuses.push([mateId, status]);
    }
    return { type: 'presence_bulk', statuses };
  }

  private async visible(userId: string): Promise<VisibleStatus> {
    return visibleStatus((await this.shared.presenceOf([userId])).get(userId));
  }

  private async announceIfChanged(userId: string, before: VisibleStatus, known?: string[]): Promise<void> {
    const after = await this.visible(userId);
    if (after === before) return;
    const mates = known ?? (await this.mates(userId));
    if (mates.length === 0) return;
    this.hub.publish(
      frameEvent(
        { kind: 'users', userIds: mates },
        { type: 'presence_update', user_id: userId, status: after },
      ),
    );
  }

  /** Users who share a community or a DM with `userId`. */
  private async mates(userId: string): Promise<string[]> {
    const { rows } = await sql<{ user_id: string }>`
      select other.user_id from community_members mine
        join community_members other on other.community_id = mine.community_id
        where mine.user_id = ${userId} and other.user_id <> ${userId}
      union
      select case when user_a = ${userId} then user_b else user_a end from dm_pairs
        where user_a = ${userId} or user_b = ${userId}
      limit ${MAX_MATES}`.execute(this.db);
    return rows.map((row) => row.user_id);
  }
}

function chosenFrom(status: PresenceStatus): ChosenStatus | null {
  if (status === 'idle') return null;
  if (status === 'offline') return 'invisible';
  return status;
}
