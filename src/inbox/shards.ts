/**
 * Sharding an inbox: `shards: N` spreads its callbacks over N BullMQ queues by their dedup key, so that on a
 * Redis Cluster the adds and the work of one inbox are shared by several masters (one queue lives on one
 * slot, so on one master's core). Each shard's queue name carries a Redis Cluster hash tag of its own
 * (`{name.i.j}`), chosen so that the shards' slots lie evenly over the 16384 slots, where a cluster's
 * masters hold their even ranges: N shards on M ≤ N masters use them all. A key always goes to the same
 * shard for the same `shards`, which is what keeps a redelivery a duplicate.
 */
import { createRequire } from "node:module";
import { wholeNumberOption } from "../read/limits";
import { loadBullMQ } from "./connection";

/** The most shards an inbox takes: each is a queue, and a worker's connections per shard. */
export const MAX_SHARDS = 256;

/** How many slots a Redis Cluster has. */
const CLUSTER_SLOTS = 16384;

/** How far from the centre of its share of the slots a shard's slot may lie. */
const TAG_WINDOW = 8;

type KeySlot = (key: string) => number;

let keySlot: KeySlot | undefined;

/**
 * The slot of `key` by cluster-key-slot's CRC16, the function ioredis routes commands with. It is ioredis's
 * dependency, not ours (a package that only parses never needs it): required on the first sharded or
 * clustered inbox, from where npm and bundlers put it, else from beside ioredis (a strict node_modules).
 */
function slotOf(key: string): number {
  keySlot ??= loadKeySlot();
  return keySlot(key);
}

function loadKeySlot(): KeySlot {
  loadBullMQ(); // the error naming what to install, when bullmq or ioredis is missing
  try {
    return require("cluster-key-slot") as KeySlot;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    return createRequire(require.resolve("ioredis"))("cluster-key-slot") as KeySlot;
  }
}

/** The `shards` option: a whole number from 1 to {@link MAX_SHARDS}. Default 1. */
export function readShards(shards: unknown): number {
  return wholeNumberOption("shards", shards, 1, { min: 1, max: MAX_SHARDS });
}

/**
 * The BullMQ queue names of an inbox: `queueName` itself for one shard on a single Redis (as before sharding
 * existed); `{queueName}` for one shard on a cluster (BullMQ's scripts touch several keys of a queue at once,
 * which a cluster allows only within one slot); and for N shards, N names each with its own hash tag, the
 * same on a single Redis and on a cluster, so that the CLI and workers find them alike.
 * @throws TypeError when the names would need a hash tag and `queueName` or `prefix` holds a brace (a tag of
 * theirs would put every shard on one slot).
 */
export function shardQueueNames(queueName: string, shards: number, options: { clustered: boolean; prefix: string | undefined }): string[] {
  if (shards === 1 && !options.clustered) return [queueName];
  if (/[{}]/.test(queueName)) throw new TypeError(`queueName must hold no "{" or "}" on a cluster or with shards: the inbox puts its own hash tag there`);
  if (options.prefix !== undefined && /[{}]/.test(options.prefix)) {
    throw new TypeError(`prefix must hold no "{" or "}" on a cluster or with shards: a hash tag there would put every queue on one slot`);
  }
  if (shards === 1) return [`{${queueName}}`];
  return Array.from({ length: shards }, (_, shard) => `{${evenTag(queueName, shard, shards)}}`);
}

/**
 * The hash tag of shard `shard` of `shards`: `queueName.shard.j` for the smallest j whose slot lies within
 * {@link TAG_WINDOW} slots of the centre of the shard's N-th of the 16384 slots. Centred, N ≥ M shards meet
 * every one of M masters holding equal ranges (checked for every M ≤ 32 and N ≤ 256). About 1000 tries a
 * shard, and the same answer on every machine.
 */
function evenTag(queueName: string, shard: number, shards: number): string {
  const centre = ((shard + 0.5) * CLUSTER_SLOTS) / shards;
  for (let j = 0; ; j++) {
    const tag = `${queueName}.${shard}.${j}`;
    if (Math.abs(slotOf(tag) - centre) <= TAG_WINDOW) return tag;
  }
}

/**
 * Which of `shards` shards a callback goes to: by its dedup key (32-bit FNV-1a of its UTF-16 code units, a
 * hash that never changes, so redeliveries meet their first delivery's job); a callback without a key
 * (never deduplicated) takes `spread`, which the caller turns round.
 */
export function shardOfKey(key: string | undefined, shards: number, spread: number): number {
  if (shards === 1) return 0;
  if (key === undefined) return spread % shards;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}
