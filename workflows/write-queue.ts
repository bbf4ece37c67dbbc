/**
 * Writes that a workflow's handlers have decided, done later and in order by one writer loop.
 *
 * Why: a validator and its handler are not atomic. A handler that awaits an activity before it changes
 * state lets a second Update pass the same validator (two extensions were both accepted that way, the
 * deadline ending earlier than the one granted first). So handlers change state synchronously, queue the
 * writes that follow from the change, and await only `push()`'s promise; one loop writes the queue in the
 * order the changes were decided, so the database never sees them reordered either.
 */
export class WriteQueue<W> {
  private readonly items: Array<{ write: W; done: () => void }> = [];

  get pending(): number {
    return this.items.length;
  }

  /** Queues a write; the promise resolves once the writer has written it. */
  push(write: W): Promise<void> {
    return new Promise((done) => this.items.push({ write, done }));
  }

  /** The oldest `max` writes, removed from the queue; call `done` on each once written. */
  take(max: number): Array<{ write: W; done: () => void }> {
    return this.items.splice(0, max);
  }
}

/** Consecutive runs of items that share a key, in order: the writer batches each run into one activity. */
export function runsBy<T>(items: T[], key: (item: T) => string): T[][] {
  const runs: T[][] = [];
  for (const item of items) {
    const last = runs[runs.length - 1];
    if (last && key(last[0]!) === key(item)) last.push(item);
    else runs.push([item]);
  }
  return runs;
}
