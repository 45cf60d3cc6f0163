import type { InboundFrame } from './frames';

interface ChannelState {
  /** The last event number this client holds for the channel; unknown until an event or `resumed` says. */
  seq: number | undefined;
  /** Whether some connection has subscribed to it (so events may have been missed since). */
  live: boolean;
}

export interface ReconnectPlan {
  /** Channels to `resume` from the last `seq` held. */
  resume: Record<string, number>;
  /** Channels without a known `seq`: `subscribe` starts them at the server's current one. */
  subscribe: string[];
  /** Among `subscribe`, those followed on an earlier connection: what happened meanwhile is unknown. */
  missed: string[];
}

/** Keys remembered for frames that carry a `seq` but no channel id. */
const REMEMBERED_UNPLACED = 4096;

/**
 * The channels the client follows and the last `seq` it holds for each, so that a new connection resumes where
 * the last one stopped and a replay that overlaps what was already delivered is not delivered twice.
 */
export class ChannelSeqs {
  readonly #channels = new Map<string, ChannelState>();
  /**
   * `message_deleted` and reactions carry a `seq` but no channel id, so they cannot advance a channel's `seq`; a
   * resume may replay them. Their message id fixes the channel, so message id + `seq` identifies the event.
   */
  readonly #unplaced = new Set<string>();

  get ids(): string[] {
    return [...this.#channels.keys()];
  }

  has(channelId: string): boolean {
    return this.#channels.has(channelId);
  }

  /** Starts following channels; returns those not followed before. */
  add(channelIds: readonly string[]): string[] {
    const added = [...new Set(channelIds)].filter((id) => !this.#channels.has(id));
    for (const id of added) this.#channels.set(id, { seq: undefined, live: false });
    return added;
  }

  /** Stops following channels; returns those that were followed. */
  remove(channelIds: readonly string[]): string[] {
    return [...new Set(channelIds)].filter((id) => this.#channels.delete(id));
  }

  clear(): void {
    this.#channels.clear();
    this.#unplaced.clear();
  }

  /** What a new connection sends; every channel counts as live afterwards. */
  plan(): ReconnectPlan {
    const plan: ReconnectPlan = { resume: {}, subscribe: [], missed: [] };
    for (const [id, state] of this.#channels) {
      if (state.seq !== undefined) plan.resume[id] = state.seq;
      else {
        plan.subscribe.push(id);
        if (state.live) plan.missed.push(id);
      }
      state.live = true;
    }
    return plan;
  }

  markLive(channelIds: readonly string[]): void {
    for (const id of channelIds) {
      const state = this.#channels.get(id);
      if (state) state.live = true;
    }
  }

  /** Where the server says a channel stands: `resumed` only moves forward, `resync_required` sets it. */
  setSeq(channelId: string, seq: number, { force = false } = {}): void {
    const state = this.#channels.get(channelId);
    if (!state) return;
    state.seq = force || state.seq === undefined ? seq : Math.max(state.seq, seq);
  }

  /** Where these channels stand is no longer known (a `resume` failed). */
  forgetSeqs(channelIds: readonly string[]): void {
    for (const id of channelIds) {
      const state = this.#channels.get(id);
      if (state) state.seq = undefined;
    }
  }

  /** Records a channel event's `seq`; false when this client already holds that event. */
  accept(frame: InboundFrame): boolean {
    const { seq } = frame;
    if (typeof seq !== 'number' || frame.type === 'resync_required') return true;
    if ('channel_id' in frame && typeof frame.channel_id === 'string') {
      const state = this.#channels.get(frame.channel_id);
      if (!state) return true;
      if (state.seq !== undefined && seq <= state.seq) return false;
      state.seq = seq;
      return true;
    }
    if (!('message_id' in frame)) return true;
    const key = `${frame.message_id}:${seq}`;
    if (this.#unplaced.has(key)) return false;
    this.#unplaced.add(key);
    if (this.#unplaced.size > REMEMBERED_UNPLACED) {
      const [oldest] = this.#unplaced;
      if (oldest !== undefined) this.#unplaced.delete(oldest);
    }
    return true;
  }
}
