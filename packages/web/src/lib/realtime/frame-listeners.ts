import type { FrameHandler, InboundFrame, InboundType } from './frames';

/** Handlers per frame type. One handler's failure stops neither the others nor the socket. */
export class FrameListeners {
  readonly #handlers = new Map<string, Set<(frame: InboundFrame) => void>>();

  on<T extends InboundType>(type: T, handler: FrameHandler<T>): () => void {
    const handlers = this.#handlers.get(type) ?? new Set();
    this.#handlers.set(type, handlers);
    const registered = handler as (frame: InboundFrame) => void;
    handlers.add(registered);
    return () => handlers.delete(registered);
  }

  emit(frame: InboundFrame): void {
    for (const handler of [...(this.#handlers.get(frame.type) ?? [])]) safely(() => handler(frame));
  }
}

export function safely(run: () => void): void {
  try {
    run();
  } catch (error) {
    console.error('realtime listener failed', error);
  }
}
