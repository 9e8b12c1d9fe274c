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
  /** The owning token while processing; {@link DONE} once handled. */
  value: string;
  expiresAt: number;
}

const DONE = "\u0000done";

/** An in-process {@link DedupStore}. */
export class MemoryDedupStore implements DedupStore {
  private readonly marks = new Map<string, Mark>();
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
    this.put(key, { value: token, expiresAt: now + ttlMs });
    return Promise.resolve("claimed");
  }

  complete(key: string, _token: string, ttlMs: number): Promise<void> {
    this.put(key, { value: DONE, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    if (this.marks.get(key)?.value === token) this.marks.delete(key);
    return Promise.resolve();
  }

  /** Re-inserts, so Map order stays the order of last writes: the front is what goes first. */
  private put(key: string, mark: Mark): void {
    this.marks.delete(key);
    this.marks.set(key, mark);
    while (this.marks.size > this.maxEntries) {
      const oldest = this.marks.keys().next();
      if (oldest.done === true) break;
      this.marks.delete(oldest.value);
    }
  }

  /** Drops expired marks from the front; bounded work per call, the size bound does the rest. */
  private sweep(now: number): void {
    let budget = 16;
    for (const [key, mark] of this.marks) {
      if (budget-- === 0 || mark.expiresAt > now) break;
      this.marks.delete(key);
    }
  }
}
