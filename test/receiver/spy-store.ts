/** A dedup store wrapper that tells the tests what each claim found, so they can wait on it instead of on time. */
import type { DedupClaim, DedupStore } from "../../src";

/** What claims found, possibly shared by the stores of several listeners. */
export class ClaimLog {
  readonly claims: DedupClaim[] = [];
  private waiters: { count: number; claim: DedupClaim; resolve: () => void }[] = [];

  /** Resolves once `count` claims have found `claim`. */
  seen(claim: DedupClaim, count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, claim, resolve });
      this.check();
    });
  }

  record(claim: DedupClaim): void {
    this.claims.push(claim);
    this.check();
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      const done = this.claims.filter((c) => c === w.claim).length >= w.count;
      if (done) w.resolve();
      return !done;
    });
  }
}

export class SpyStore implements DedupStore {
  constructor(
    private readonly inner: DedupStore,
    readonly log = new ClaimLog(),
  ) {}

  /** Resolves once `count` claims have found `claim`. */
  seen(claim: DedupClaim, count: number): Promise<void> {
    return this.log.seen(claim, count);
  }

  async claim(key: string, token: string, ttlMs: number): Promise<DedupClaim> {
    const found = await this.inner.claim(key, token, ttlMs);
    this.log.record(found);
    return found;
  }

  complete(key: string, token: string, ttlMs: number): Promise<void> {
    return this.inner.complete(key, token, ttlMs);
  }

  release(key: string, token: string): Promise<void> {
    return this.inner.release(key, token);
  }
}
