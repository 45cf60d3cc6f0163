import { byteArray, type ScheduleMessageBody, scheduledLimits, utf8Length } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError, invalid, WsError } from '../../platform/errors.js';
import type { EventHub } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { MessagesService, type SendRequest } from '../messages/messages.service.js';
import type { UserRecord } from '../users/users.present.js';
import {
  claimScheduled,
  countPending,
  deleteOwned,
  deleteScheduled,
  findScheduled,
  insertScheduled,
  listDueIds,
  listPending,
  loadDeliveryBlockers,
  lockUserSchedule,
  type ScheduledRecord,
} from './scheduled.repo.js';

const DAY_MS = 24 * 3600_000;
/** Due items taken per run, oldest first. */
const DELIVERY_BATCH = 500;
/** An item whose send keeps failing unexpectedly is dropped once this overdue (server-behaviour.md §4). */
const RETRY_WINDOW_MS = 5 * 60_000;

export type DeliveryReport =
  | { id: string; outcome: 'delivered' }
  | { id: string; outcome: 'dropped'; reason: string }
  | { id: string; outcome: 'retry'; error: unknown };

/** Scheduled messages (rest-api.md §13): kept per user, delivered later through the one send path. */
export class ScheduledService {
  private readonly messages: MessagesService;

  constructor(
    private readonly db: Kysely<Schema>,
    hub: EventHub,
    private readonly clock: Clock,
  ) {
    this.messages = new MessagesService(db, hub, clock);
  }

  /** Membership is checked first (403), then the time, the sizes and the pending cap (400). */
  async schedule(user: UserRecord, body: ScheduleMessageBody): Promise<ScheduledRecord> {
    if (!(await this.messages.isMember(body.channel_id, user.id))) throw new AppError('forbidden');
    const now = this.clock.now();
    const scheduledFor = checkScheduledFor(body.scheduled_for, now);
    checkSizes(body);
    return this.db.transaction().execute(async (trx) => {
      await lockUserSchedule(trx, user.id);
      if ((await countPending(trx, user.id)) >= scheduledLimits.pendingPerUser) {
        throw invalid(`cannot have more than ${scheduledLimits.pendingPerUser} scheduled messages`);
      }
      return insertScheduled(trx, {
        id: uuidv7(now),
        channel_id: body.channel_id,
        user_id: user.id,
        ciphertext: body.ciphertext,
        nonce: body.nonce,
        content_preview: body.content_preview || null,
        scheduled_for: scheduledFor,
        created_at: new Date(now),
      });
    });
  }

  list(user: UserRecord): Promise<ScheduledRecord[]> {
    return listPending(this.db, user.id, scheduledLimits.listMax);
  }

  async cancel(user: UserRecord, id: string): Promise<void> {
    if (!(await deleteOwned(this.db, id, user.id)))
      throw new AppError('not_found', 'scheduled message not found');
  }

  /**
   * Delivers what is due. With `exclusive`, each item is claimed under an advisory lock held by one
   * transaction for the whole run, so another process skips it. The lock is not a row lock on purpose: a row
   * lock held while `send` inserts would make a concurrent channel or account deletion (whose cascade waits
   * for the row) and that insert (whose foreign-key check waits for the deletion) wait on each other for
   * ever, across two connections PostgreSQL cannot see as one deadlock. Without `exclusive` (one process,
   * or a single connection that the transaction would hold) the items are read unlocked. Either way a
   * repeat delivers nothing twice: the send's `client_id` names the item, so a second send of it (after a
   * crash between message and deletion, or from a racing run) returns the first message.
   */
  deliverDue(exclusive: boolean): Promise<DeliveryReport[]> {
    const now = new Date(this.clock.now());
    if (!exclusive) return this.deliverEach((id) => findScheduled(this.db, id), now);
    return this.db.transaction().execute((trx) => this.deliverEach((id) => claimScheduled(trx, id), now));
  }

  private async deliverEach(
    claim: (id: string) => Promise<ScheduledRecord | undefined>,
    now: Date,
  ): Promise<DeliveryReport[]> {
    const reports: DeliveryReport[] = [];
    for (const id of await listDueIds(this.db, now, DELIVERY_BATCH)) {
      const item = await claim(id);
      if (!item) continue;
      const report = await this.deliver(item, now);
      if (report.outcome !== 'retry') await deleteScheduled(this.db, item.id);
      reports.push(report);
    }
    return reports;
  }

  /**
   * Sends one item as its author, or says why it is dropped: the author is suspended, the channel is
   * read-only or the author timed out there (no exemption for moderators, unlike a live send), or the send
   * is refused (not a member, channel gone or archived, DM blocked or no shared community).
   */
  private async deliver(item: ScheduledRecord, now: Date): Promise<DeliveryReport> {
    const blocker = await this.blocker(item, now);
    if (blocker !== null) return { id: item.id, outcome: 'dropped', reason: blocker };
    try {
      await this.messages.send({ id: item.user_id }, sendRequest(item), { ignoreSlowMode: true });
      return { id: item.id, outcome: 'delivered' };
    } catch (error) {
      if (error instanceof WsError || (error instanceof AppError && error.status < 500)) {
        return { id: item.id, outcome: 'dropped', reason: error.message };
      }
      if (now.getTime() - item.scheduled_for.getTime() > RETRY_WINDOW_MS) {
        return { id: item.id, outcome: 'dropped', reason: 'sending failed for 5 minutes' };
      }
      return { id: item.id, outcome: 'retry', error };
    }
  }

  private async blocker(item: ScheduledRecord, now: Date): Promise<string | null> {
    const blockers = await loadDeliveryBlockers(this.db, item.user_id, item.channel_id, now);
    if (!blockers) return 'author or channel is gone';
    if (blockers.suspended) return 'author is suspended';
    if (blockers.readOnly) return 'channel is read-only';
    if (blockers.timedOut) return 'author is timed out in the channel';
    return null;
  }
}

function checkScheduledFor(scheduledFor: Date | null, now: number): Date {
  if (scheduledFor === null) throw invalid('invalid scheduled_for datetime');
  if (scheduledFor.getTime() <= now) throw invalid('scheduled_for must be in the future');
  if (scheduledFor.getTime() > now + scheduledLimits.daysAhead * DAY_MS) {
    throw invalid(`cannot schedule more than ${scheduledLimits.daysAhead} days ahead`);
  }
  return scheduledFor;
}

function checkSizes(body: ScheduleMessageBody): void {
  if (body.ciphertext === '' || body.nonce === '') throw invalid('ciphertext and nonce are required');
  if (utf8Length(body.ciphertext) > scheduledLimits.ciphertextBytes) {
    throw invalid('ciphertext too large (max 100 KB)');
  }
  if (utf8Length(body.nonce) > scheduledLimits.nonceBytes) {
    throw invalid(`nonce too large (max ${scheduledLimits.nonceBytes} bytes)`);
  }
  if (body.content_preview !== undefined && utf8Length(body.content_preview) > scheduledLimits.previewBytes) {
    throw invalid(`content_preview too large (max ${scheduledLimits.previewBytes} bytes)`);
  }
}

/** A plain text message, named by the item so that sending it again returns the first message. */
function sendRequest(item: ScheduledRecord): SendRequest {
  return {
    type: 'send_message',
    channel_id: item.channel_id,
    ciphertext: decodeBytes(item.ciphertext),
    nonce: decodeBytes(item.nonce),
    message_type: 'text',
    reply_to: null,
    sender_key_id: null,
    thread_id: null,
    client_id: `scheduled:${item.id}`,
  };
}

/** The JSON text of a byte array, as the web client sends it; anything else is taken as its UTF-8 bytes. */
function decodeBytes(value: string): number[] {
  const parsed = byteArray.safeParse(parseJson(value));
  return parsed.success ? parsed.data : [...Buffer.from(value, 'utf8')];
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
