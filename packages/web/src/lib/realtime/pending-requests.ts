import { type InboundFrame, SocketRequestError } from './frames';

interface Pending {
  resolve(frame: InboundFrame): void;
  reject(error: SocketRequestError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Requests waiting for the reply that echoes their `ref` (docs/realtime.md, correlation). */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #nextRef = 1;

  nextRef(): number {
    return this.#nextRef++;
  }

  /** Waits for the reply to `ref`; rejects with `timeout` after `timeoutMs`. */
  wait(ref: number, timeoutMs: number): Promise<InboundFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(new SocketRequestError('timeout', 'the server did not answer in time'));
      }, timeoutMs);
      this.#pending.set(ref, { resolve, reject, timer });
    });
  }

  /** Resolves the request a frame answers, or rejects it with the `error` frame. */
  settle(frame: InboundFrame): void {
    if (!('ref' in frame) || typeof frame.ref !== 'number') return;
    const pending = this.#pending.get(frame.ref);
    if (!pending) return;
    this.#pending.delete(frame.ref);
    clearTimeout(pending.timer);
    if (frame.type === 'error') pending.reject(new SocketRequestError(frame.code, frame.message, frame));
    else pending.resolve(frame);
  }

  /** The connection is gone: no reply will come. */
  abandonAll(): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) {
      clearTimeout(request.timer);
      request.reject(new SocketRequestError('disconnected', 'the connection was lost'));
    }
  }
}
