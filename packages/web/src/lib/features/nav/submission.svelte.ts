import { errorText } from './errors';

/** A form's request, one at a time: `busy` while it runs, `error` saying why the last one failed. */
export class Submission {
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `action` unless one is still running; a failure ends up in `error` rather than thrown. */
  async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      await action();
    } catch (failure) {
      this.error = errorText(failure);
    } finally {
      this.busy = false;
    }
  }
}
