/**
 * The default dedup store: a Map in this process. Bounded (the oldest marks go first past `maxEntries`)
 * and expiring. Right for one receiver instance; several instances behind a load balancer need a shared
 * store such as {@link RedisDedupStore}.
 */
import type { DedupClaim, DedupStore } from "./dedup-store";

/** Options of {@link MemoryDedupStore}. */
export interface MemoryDedupStoreOptions {
  /** Most marks kept; past it the oldest are forgotten. Default 10 000. */
  maxEntries?: number;
  /** The clock, in milliseconds; for tests. Default `Date.now`. */
  now?: () => number;
}

interface Mark {
  readonly key: string;
  /** The owning token while processing; {@link DONE} once handled. */
  readonly value: string;
  readonly expiresAt: number;
}

const DONE = "\u0000done";

/** An in-process {@link DedupStore}. */
export class MemoryDedupStore implements DedupStore {
  /** Each key's current mark. */
  private readonly marks = new Map<string, Mark>();
  /**
   * Every mark written, oldest first, from `head` on: a mark no longer in `marks` (rewritten, released, dropped)
   * is stale and skipped. The order is kept here rather than in the Map's own order because V8 leaves a hole for
   * each entry deleted from a Map's front, which every new iterator then walks past: with the Map full, that made
   * each write cost thousands of steps.
   */
  private order: Mark[] = [];
  private head = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryDedupStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.maxEntries >= 1)) throw new RangeError("maxEntries must be at least 1");
  }

  /** Number of marks held (expired ones included until they are swept). */
  get size(): number {
    return this.marks.size;
  }

  claim(key: string, token: string, ttlMs: number): Promise<DedupClaim> {
    const now = this.now();
    this.sweep(now);
    const mark = this.marks.get(key);
    if (mark !== undefined && mark.expiresAt > now && mark.value !== token) {
      return Promise.resolve(mark.value === DONE ? "done" : "processing");
    }
    this.put({ key, value: token, expiresAt: now + ttlMs });
    return Promise.resolve("claimed");
  }

  complete(key: string, _token: string, ttlMs: number): Promise<void> {
    this.put({ key, value: DONE, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    if (this.marks.get(key)?.value === token) this.marks.delete(key);
    return Promise.resolve();
  }

  /** Writes a mark as the newest, so the front of `order` is what goes first. */
  private put(mark: Mark): void {
    this.marks.set(mark.key, mark);
    this.order.push(mark);
    while (this.marks.size > this.maxEntries) {
      const oldest = this.oldest();
      if (oldest === undefined) break;
      this.marks.delete(oldest.key);
      this.head++;
    }
    // Stale marks are dropped once they are half of `order`: amortised constant work per write.
    if (this.order.length - this.head > 2 * this.marks.size + 16) {
      this.order = this.order.slice(this.head).filter((entry) => this.marks.get(entry.key) === entry);
      this.head = 0;
    }
  }

  /** The oldest current mark, with the stale ones before it skipped. */
  private oldest(): Mark | undefined {
    while (this.head < this.order.length) {
      const mark = this.order[this.head];
      if (this.marks.get(mark.key) === mark) return mark;
      this.head++;
    }
    return undefined;
  }

  /** Drops expired marks from the front; bounded work per call, the size bound does the rest. */
  private sweep(now: number): void {
    for (let budget = 16; budget > 0; budget--) {
      const mark = this.oldest();
      if (mark === undefined || mark.expiresAt > now) break;
      this.marks.delete(mark.key);
      this.head++;
    }
  }
}
