/**
 * A dedup store shared by several receiver instances, on Redis. It takes your own client through a minimal
 * interface that ioredis matches as it is; `SET key value PX ms NX` makes the claim atomic, so when two
 * instances get the same delivery at the same moment exactly one of them runs the handlers. A claim is
 * idempotent: a resent `SET` that finds the delivery's own token is its claim, not another's.
 *
 * Redis must persist (AOF or RDB, or a managed Redis): a restart that forgets the "done" marks lets every
 * redelivery of an event handled before it be handled again.
 */
import type { DedupClaim, DedupStore } from "./dedup-store";

/**
 * The Redis commands the store uses, in ioredis's signatures. For node-redis, wrap its client:
 * `{ set: (k, v, _px, ms, nx) => client.set(k, v, nx ? { PX: ms, NX: true } : { PX: ms }), get: (k) => client.get(k), del: (k) => client.del(k) }`.
 */
export interface RedisDedupClient {
  /** `SET key value PX ms NX`: "OK" when set, null when the key exists. */
  set(key: string, value: string, px: "PX", milliseconds: number, nx: "NX"): Promise<"OK" | null>;
  /** `SET key value PX ms`. */
  set(key: string, value: string, px: "PX", milliseconds: number): Promise<"OK" | null>;
  /** `GET key`. */
  get(key: string): Promise<string | null>;
  /** `DEL key`. */
  del(key: string): Promise<number>;
}

/** Options of {@link RedisDedupStore}. */
export interface RedisDedupStoreOptions {
  /** Prefix of every key. Default `ci-callback:dedup:`. */
  prefix?: string;
}

const DONE = "done";
const PROCESSING = "processing:";

/** A {@link DedupStore} on Redis, for receivers behind a load balancer. */
export class RedisDedupStore implements DedupStore {
  private readonly prefix: string;

  constructor(
    private readonly client: RedisDedupClient,
    options: RedisDedupStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? "ci-callback:dedup:";
  }

  async claim(key: string, token: string, ttlMs: number): Promise<DedupClaim> {
    const redisKey = this.prefix + key;
    // The mark may vanish between SET NX and GET (released or expired); then claim again, a bounded number of times.
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await this.client.set(redisKey, PROCESSING + token, "PX", Math.ceil(ttlMs), "NX")) === "OK") return "claimed";
      const value = await this.client.get(redisKey);
      if (value === DONE) return "done";
      // Our own claim: the SET went through but its reply was lost, and the client sent it again.
      if (value === PROCESSING + token) return "claimed";
      if (value !== null) return "processing";
    }
    return "processing";
  }

  async complete(key: string, _token: string, ttlMs: number): Promise<void> {
    await this.client.set(this.prefix + key, DONE, "PX", Math.ceil(ttlMs));
  }

  async release(key: string, token: string): Promise<void> {
    // Only our own claim: if it expired and another delivery claimed the key since, that claim stays.
    // (GET then DEL is not atomic; the window is the time between two commands after a TTL of minutes.)
    const redisKey = this.prefix + key;
    if ((await this.client.get(redisKey)) === PROCESSING + token) await this.client.del(redisKey);
  }
}
