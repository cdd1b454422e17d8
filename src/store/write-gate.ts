/**
 * One writer at a time, and readers that never see a half-written delivery: shared by every Store
 * backend. Writes run in call order; a read waits while a write is open.
 */
export class WriteGate {
  /** Settles when the current write finishes; null when no write is open. */
  private writing: Promise<void> | null = null;
  /** Tail of the queue of writes waiting for their turn. */
  private tail: Promise<void> = Promise.resolve();

  /** Resolves once no write is open. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Resolves once every queued write has finished (used by close()). */
  drained(): Promise<void> {
    return this.tail;
  }

  /** Runs `fn` as the only writer, after `check` (e.g. "store still open") passes at its turn. */
  exclusive<T>(check: () => void, fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      check();
      let done!: () => void;
      this.writing = new Promise<void>((r) => (done = r));
      try {
        return await fn();
      } finally {
        this.writing = null;
        done();
      }
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
