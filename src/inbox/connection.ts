/**
 * The Redis connection of the inbox and the worker, the keys of a queue, and BullMQ, loaded only when one is
 * made: a package that only parses callbacks never loads the queue. Every Redis client and key the inbox uses
 * is made here, so that another kind of connection (a cluster) or key layout changes this file only.
 */
import type { ConnectionOptions, RedisOptions as BullMQRedisOptions } from "bullmq";
import type { Cluster, ClusterOptions, Redis, RedisOptions } from "ioredis";
import { isClusterConnection, openCluster, type ClusterConnection } from "./cluster";

/**
 * Where the BullMQ inbox's queue lives, for {@link createCallbackInbox}, {@link createCallbackWorker} and the
 * CLI: a Redis URL (`redis://host:6379/0`, `rediss://…`), ioredis options, or a Redis Cluster
 * (`{ cluster: [{ host, port }, …], ...ioredis Cluster options }`, see {@link ClusterConnection}).
 */
export type InboxConnection = string | RedisOptions | ClusterConnection;

/** A client of the inbox's own: a Redis, or a Redis Cluster. */
export type InboxClient = Redis | Cluster;

type BullMQ = typeof import("bullmq");

let bullmq: BullMQ | undefined;

/** The command that installs the inbox's optional peer dependencies. */
export const INSTALL_INBOX_PEERS = "npm install bullmq ioredis";

/**
 * The bullmq module, required on first use.
 * @throws Error naming {@link INSTALL_INBOX_PEERS} when bullmq or ioredis (which bullmq requires) is not installed.
 */
export function loadBullMQ(): BullMQ {
  try {
    bullmq ??= require("bullmq") as BullMQ;
  } catch (error) {
    const missing = missingPeer(error);
    if (missing === undefined) throw error;
    throw new Error(`the inbox needs bullmq and ioredis, optional peer dependencies of ci-callback, and ${missing} is not installed: run \`${INSTALL_INBOX_PEERS}\``, { cause: error });
  }
  return bullmq;
}

/** BullMQ's key prefix unless the inbox is given another. */
export const DEFAULT_PREFIX = "bull";

/** Which peer a failed require could not find (bullmq, or ioredis required by bullmq), if that was why. */
function missingPeer(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") return undefined;
  return /Cannot find module '(bullmq|ioredis)'/.exec(error.message)?.[1];
}

/**
 * Reconnects within 2 s once Redis is back (ioredis's default as BullMQ sets it waits up to 20 s), so that a
 * receiver answers 200 again soon after an outage.
 */
function reconnectDelay(times: number): number {
  return Math.min(times * 100, 2000);
}

/**
 * ioredis options for BullMQ; `overrides` win over the user's options, which win over our defaults. BullMQ
 * passes them to ioredis's constructor as they are (its own type is a loose copy of ioredis's).
 */
export function redisOptions(connection: string | RedisOptions, overrides: RedisOptions = {}): BullMQRedisOptions {
  const base: RedisOptions = { retryStrategy: reconnectDelay, connectTimeout: 5000 };
  if (typeof connection === "string") return { ...base, ...overrides, url: connection } as BullMQRedisOptions;
  return { ...base, ...connection, ...overrides } as BullMQRedisOptions;
}

/**
 * A Redis client of the inbox's own (its scripts, and the connection its BullMQ queue shares), with
 * {@link redisOptions}; for a cluster connection an ioredis Cluster, to which `overrides` apply as a Cluster
 * takes them (`enableOfflineQueue`, `lazyConnect`, `retryStrategy` as its `clusterRetryStrategy`, and
 * `connectTimeout` for each node), and whose `clusterDefaults` give way to the user's options. Closed by
 * whoever made it.
 */
export function createRedisClient(connection: InboxConnection, overrides: RedisOptions = {}, clusterDefaults: ClusterOptions = {}): InboxClient {
  loadBullMQ(); // the error naming what to install, when bullmq or ioredis is missing
  if (isClusterConnection(connection)) {
    // Reconnecting as a single Redis does, the cluster and each node (ioredis leaves a node restarted in place
    // to the next slot refresh).
    const defaults: ClusterOptions = { clusterRetryStrategy: reconnectDelay, clusterNodeRetryStrategy: reconnectDelay, ...clusterDefaults };
    return openCluster(connection, clusterOverrides(overrides), defaults);
  }
  const { Redis: RedisClient } = require("ioredis") as typeof import("ioredis");
  const { url, ...options } = redisOptions(connection, overrides) as RedisOptions & { url?: string };
  return url === undefined ? new RedisClient(options) : new RedisClient(url, options);
}

/** The Cluster options that stand for a single Redis's `overrides`; only those given (an undefined one would hide the user's). */
function clusterOverrides(overrides: RedisOptions): ClusterOptions {
  const options: ClusterOptions = {};
  if (overrides.enableOfflineQueue !== undefined) options.enableOfflineQueue = overrides.enableOfflineQueue;
  if (overrides.lazyConnect !== undefined) options.lazyConnect = overrides.lazyConnect;
  if (overrides.retryStrategy !== undefined) options.clusterRetryStrategy = overrides.retryStrategy;
  if (overrides.connectTimeout !== undefined) options.redisOptions = { connectTimeout: overrides.connectTimeout };
  return options;
}

/** Whether a client is a Redis Cluster. */
export function isCluster(client: InboxClient): client is Cluster {
  return client.isCluster;
}

/**
 * What BullMQ is given as `connection` beside `client`: the Cluster itself (BullMQ leaves it open and makes
 * its blocking connections as duplicates of it), or for a single Redis {@link redisOptions} with `overrides`
 * (BullMQ's own connections).
 */
export function bullmqConnection(connection: InboxConnection, client: InboxClient, overrides: RedisOptions = {}): ConnectionOptions {
  // BullMQ's type of a client is its own copy of ioredis's.
  return isCluster(client) ? (client as unknown as ConnectionOptions) : redisOptions(connection as string | RedisOptions, overrides);
}

/** A queue name BullMQ accepts: it refuses `:` (its key separator). */
export function checkQueueName(queueName: unknown): string {
  if (typeof queueName !== "string" || !isQueueName(queueName)) {
    throw new TypeError(`queueName must be a non-empty string without ":", not ${JSON.stringify(queueName)}`);
  }
  return queueName;
}

/** Whether BullMQ takes `name` as a queue's name: not empty, no `:` (it separates the parts of its keys). */
export function isQueueName(name: string): boolean {
  return name !== "" && !name.includes(":");
}

/** The Redis keys of one queue that the inbox's own scripts read and write, beside BullMQ's. */
export interface QueueKeys {
  /** What every key of the queue starts with: `<prefix>:<queue>:`; a job's hash is this and its id. */
  base: string;
  /** BullMQ's lists and sets of the job states. */
  wait: string;
  active: string;
  delayed: string;
  prioritized: string;
  failed: string;
  /** BullMQ's queue metadata (exists once the queue has been used). */
  meta: string;
  /** BullMQ's events stream. */
  events: string;
  /** The inbox's own hash: bytes of the bodies not yet handled, and the inbox's bounds (for `inbox status`). */
  inbox: string;
  /** The dedup mark of a job id (BullMQ's deduplication key). */
  mark(jobId: string): string;
}

/** The keys of queue `queueName` under `prefix`. */
export function queueKeys(prefix: string, queueName: string): QueueKeys {
  const base = `${prefix}:${queueName}:`;
  return {
    base,
    wait: `${base}wait`,
    active: `${base}active`,
    delayed: `${base}delayed`,
    prioritized: `${base}prioritized`,
    failed: `${base}failed`,
    meta: `${base}meta`,
    events: `${base}events`,
    inbox: `${base}ci-inbox`,
    mark: (jobId) => `${base}de:${jobId}`,
  };
}
