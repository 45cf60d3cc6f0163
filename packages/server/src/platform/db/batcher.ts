interface Entry<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Items handled in one batch at most. */
  maxBatch: number;
  /** Batches in flight at once; items arriving meanwhile wait and form the next batch. */
  maxConcurrent: number;
}

/**
 * Batches concurrent work: items submitted while earlier batches are in flight are handled together. For
 * writes this is group commit — one transaction (one fsync) for many messages, each caller's promise
 * settling only after the transaction holding its item committed; for reads, one query for many keys.
 * When a batch fails, its items are retried one by one, so one bad item fails alone. Under no load an item
 * is handled at once, alone: batching never adds waiting.
 */
export class Batcher<I, R> {
  private readonly queue: Array<Entry<I, R>> = [];
  private running = 0;

  constructor(
    private readonly commit: (items: I[]) => Promise<R[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running += 1;
      void this.write(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async write(batch: Array<Entry<I, R>>): Promise<void> {
    try {
      const results = await this.commit(batch.map((entry) => entry.item));
      for (const [index, entry] of batch.entries()) entry.resolve(results[index] as R);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const entry of batch) await this.write([entry]);
    }
  }
}
