/**
 * Where a listener remembers which events it has handled. An event goes through two marks: `processing`
 * (claimed by one delivery, owned by its token) and `done`. A failed handler releases its claim, so the
 * sender's next delivery is handled again.
 */

/** What {@link DedupStore.claim} found. */
export type DedupClaim =
  /** The key was free: this delivery owns it now and runs the handlers. */
  | "claimed"
  /** Another delivery owns it and has not finished yet. */
  | "processing"
  /** The event was handled already: acknowledge this delivery and drop it. */
  | "done";

/**
 * A dedup store. Implement these three operations atomically (as `SET NX` does) to use another database;
 * {@link MemoryDedupStore} and {@link RedisDedupStore} are the two shipped.
 */
export interface DedupStore {
  /**
   * Marks `key` as processing by `token` for `ttlMs`, unless it is marked already; tells which. Idempotent: a
   * key already claimed by the same `token` (a retried call) is `"claimed"` again.
   */
  claim(key: string, token: string, ttlMs: number): Promise<DedupClaim>;
  /** Marks `key` as done for `ttlMs` (the handlers succeeded). */
  complete(key: string, token: string, ttlMs: number): Promise<void>;
  /** Removes the processing mark of `token` (the handlers failed), so a redelivery is handled again. */
  release(key: string, token: string): Promise<void>;
}
