/**
 * The handler slots of a worker's queue: `concurrency` of them, shared by the callbacks taken straight from the
 * ingest stream and the jobs BullMQ hands over (retries), so that no more than `concurrency` run at once.
 * Slots are handed over first come, first served.
 */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly freed: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Slots nobody holds or waits for. */
  get free(): number {
    return this.waiting.length > 0 ? 0 : this.size - this.used;
  }

  /** Takes a slot, once one is free. */
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.used++;
      return;
    }
    // The slot is handed over by release(), still counted as used.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Gives a slot back: to the first waiting for one, or free. */
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) return next();
    this.used--;
    for (const resolve of this.freed.splice(0)) resolve();
  }

  /** Resolves at once when a slot is free, else once one is given back or {@link wake} is called (not taking it). */
  whenFree(): Promise<void> {
    return this.free > 0 ? Promise.resolve() : new Promise<void>((resolve) => this.freed.push(resolve));
  }

  /** Wakes those waiting in {@link whenFree} (to see that they should stop). */
  wake(): void {
    for (const resolve of this.freed.splice(0)) resolve();
  }
}
