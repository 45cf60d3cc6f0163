export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const DURATION_MS: Record<ToastKind, number> = { info: 4000, success: 4000, error: 8000 };

interface Timer {
  handle: ReturnType<typeof setTimeout> | null;
  remaining: number;
  startedAt: number;
}

/** Short notices in the corner; each one leaves by itself, later while the pointer or focus rests on it. */
class Toasts {
  items = $state<Toast[]>([]);
  #nextId = 1;
  #timers = new Map<number, Timer>();

  show(message: string, kind: ToastKind = 'info'): number {
    const id = this.#nextId++;
    this.items.push({ id, kind, message });
    this.#timers.set(id, { handle: null, remaining: DURATION_MS[kind], startedAt: 0 });
    this.resume(id);
    return id;
  }

  info(message: string): number {
    return this.show(message, 'info');
  }

  success(message: string): number {
    return this.show(message, 'success');
  }

  error(message: string): number {
    return this.show(message, 'error');
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer?.handle) clearTimeout(timer.handle);
    this.#timers.delete(id);
    this.items = this.items.filter((toast) => toast.id !== id);
  }

  /** Stops the clock while someone is reading the toast (WCAG 2.2.1). */
  pause(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer?.handle) return;
    clearTimeout(timer.handle);
    timer.handle = null;
    timer.remaining -= Date.now() - timer.startedAt;
  }

  resume(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer || timer.handle) return;
    timer.startedAt = Date.now();
    timer.handle = setTimeout(() => this.dismiss(id), Math.max(timer.remaining, 1000));
  }
}

export const toasts = new Toasts();
