/**
 * The queue side of durable delivery: a {@link CallbackInbox} on a BullMQ queue. Each callback is one job
 * whose id is its dedup key, so a redelivery (to this receiver or another behind the same load balancer)
 * finds the job, or the dedup mark it leaves once handled, and adds none. The adds of concurrent requests
 * go to Redis together, in one round trip after at most `batchMaxWaitMs` (each still answered only once
 * Redis has stored it); a reservation first holds what waits under `maxWaiting` and `maxWaitingBytes`, so a
 * full inbox answers 503 before Redis is full, and nothing stored is evicted to make room. Commands are not
 * queued while Redis is away (`enableOfflineQueue: false`) and every add is bounded by `timeoutMs`, so a
 * receiver answers 503 at once instead of hanging on a dead Redis.
 */
import type { ConnectionOptions, JobsOptions, Queue } from "bullmq";
import { wholeNumberOption, MAX_TIMER_MS } from "../read/limits";
import type { CallbackInbox, InboxEntry } from "../receiver/callback-inbox";
import type { CallbackLogger } from "../receiver/logger";
import { createMetrics, type MeterProviderLike } from "../receiver/metrics";
import { DEFAULT_PREFIX, loadBullMQ, queueKeys, type InboxConnection } from "./connection";
import { markTtlMs } from "./marks";
import { release, Reservation, reserve } from "./scripts";
import { shardedInbox, type QueueShare } from "./sharded-inbox";
import { readQueueStats, sumStats, type InboxStats } from "./stats";
import { jobIdOfKey, storeCallback, type StoredCallback } from "./stored-callback";

/** Options of {@link createCallbackInbox}. */
export interface CallbackInboxOptions {
  /** The Redis the queue lives on. Run it with persistence (AOF) and `maxmemory-policy noeviction`: see the README's "Durable delivery". */
  connection: InboxConnection;
  /** The BullMQ queue's name (no `:`); the worker names the same one. */
  queueName: string;
  /** BullMQ's key prefix. Default `bull`. */
  prefix?: string;
  /**
   * Queues the callbacks are spread over by their dedup key, each on a hash tag (a cluster slot) of its own,
   * so that on a Redis Cluster their adds and handling share the masters' cores; `maxWaiting` and
   * `maxWaitingBytes` are shared out evenly among them. Give the worker and `ci-callback inbox` the same.
   * Default 1.
   */
  shards?: number;
  /** How long an add may take before it is given up and the delivery answered 503, in ms. Default 5 s. */
  timeoutMs?: number;
  /**
   * How long a handled callback's dedup mark is kept, in ms: within it a redelivery of the event is
   * acknowledged and dropped. Only the mark is kept (about 200 bytes), not the body. Default 24 hours.
   */
  keepHandledMs?: number;
  /**
   * Callbacks that may wait (stored, not yet handled) in the queue, over every receiver; past it a delivery is
   * answered 503 with `Retry-After`. Default 100,000.
   */
  maxWaiting?: number;
  /**
   * Bytes that waiting callbacks may hold in the queue, over every receiver, each counted as twice its body
   * (the body and the canonical object stored with it); past it a delivery is answered 503 with `Retry-After`.
   * Keep it well under Redis's `maxmemory`, so that workers can still move jobs and leave marks when it is
   * reached. Default 256 MiB.
   */
  maxWaitingBytes?: number;
  /** Failed jobs (attempts exhausted) kept with their bodies; past it the oldest is removed. Default 10,000. */
  maxFailed?: number;
  /** Largest number of concurrent adds sent to Redis in one round trip. Default 64. */
  batchMaxSize?: number;
  /** Longest an add waits for others to share its round trip, in ms (0: only those of the same turn of the event loop). Default 1. */
  batchMaxWaitMs?: number;
  /**
   * Told about the connection's errors (Redis refused, lost). Default: a line to `logger` (`error`), the same
   * error at most once a minute, and an `info` line when the connection is back.
   */
  onError?: (error: Error) => void;
  /** Where the inbox's lines go (`console` and pino fit). Default: the package's {@link "ci-callback"!defaultLogger}. */
  logger?: CallbackLogger;
  /**
   * Where the gauges `ci_callback.inbox.waiting` and `ci_callback.inbox.oldest_waiting_age` go (README, "Logs
   * and metrics"). Default: the global meter provider of `@opentelemetry/api` when installed; otherwise none.
   */
  meterProvider?: MeterProviderLike;
}

/** The BullMQ inbox: a {@link CallbackInbox} that can be watched and closed. */
export interface BullMQCallbackInbox extends CallbackInbox {
  /** The queue's name. */
  readonly queueName: string;
  /** What the queue holds: jobs by state, marks kept, the oldest wait, bytes (see {@link InboxStats}). */
  stats(): Promise<InboxStats>;
  /**
   * Stores the adds already made (their requests still get their answers), refuses new ones, then closes the
   * connection to Redis.
   */
  close(): Promise<void>;
}

/** Attempts BullMQ allows each job; the worker's `attempts` decides when it stops (its backoff strategy). */
export const JOB_ATTEMPTS = 1_000_000;

/** The backoff type of inbox jobs: computed by the worker from its own `attempts` and `backoff`. */
export const WORKER_BACKOFF = "ci-callback";

/** Name of every inbox job whose callback names no event (a Simple body without one). */
const UNNAMED = "callback";

/** Entries of BullMQ's events stream kept per queue (its default is 10,000; nothing here reads them). */
export const EVENTS_MAX_LEN = 1000;

/** Body bytes sent in one round trip at most, beside `batchMaxSize`. */
const BATCH_MAX_BYTES = 1024 * 1024;

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_KEEP_HANDLED_MS = 24 * 60 * 60 * 1000;

/** The error an add rejects with when Redis did not confirm it within `timeoutMs`. */
export class InboxTimeoutError extends Error {
  override readonly name = "InboxTimeoutError";

  constructor(
    /** The timeout that passed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`the inbox did not confirm the callback within ${timeoutMs} ms`);
  }
}

/** The error an add rejects with when the inbox holds `maxWaiting` callbacks or `maxWaitingBytes` already. */
export class InboxFullError extends Error {
  override readonly name = "InboxFullError";

  constructor() {
    super("the inbox is full (maxWaiting or maxWaitingBytes): nothing more is stored until workers catch up");
  }
}

/** The error an add rejects with after {@link BullMQCallbackInbox.close}. */
export class InboxClosedError extends Error {
  override readonly name = "InboxClosedError";

  constructor() {
    super("the inbox is closed");
  }
}

/** An add waiting for its round trip. */
interface PendingAdd {
  jobId: string | undefined;
  name: string;
  data: StoredCallback;
  bytes: number;
  enqueuedAt: number;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Creates the BullMQ inbox: on a single Redis or a Redis Cluster (`connection: { cluster: [...] }`), in one
 * queue or `shards` (src/inbox/sharded-inbox.ts). It connects at once and reconnects by itself after an outage.
 * @throws TypeError or RangeError for a queue name BullMQ refuses, a name or prefix with a brace where the
 * inbox needs hash tags (a cluster, or shards), or an option out of range.
 */
export function createCallbackInbox(options: CallbackInboxOptions): BullMQCallbackInbox {
  return shardedInbox(options, (share) => createQueueInbox(options, share));
}

/** The inbox of one queue, with its share of the caps, on the client the sharded inbox opened and closes. */
function createQueueInbox(options: CallbackInboxOptions, { queueName, client, shards }: QueueShare): BullMQCallbackInbox {
  const timeoutMs = wholeNumberOption("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS, { min: 1, max: MAX_TIMER_MS });
  const keepHandledMs = wholeNumberOption("keepHandledMs", options.keepHandledMs, DEFAULT_KEEP_HANDLED_MS, { min: 1000, max: 2 ** 40 });
  const caps = {
    maxWaiting: Math.ceil(wholeNumberOption("maxWaiting", options.maxWaiting, 100_000, { min: 1, max: 2 ** 40 }) / shards),
    maxWaitingBytes: Math.ceil(wholeNumberOption("maxWaitingBytes", options.maxWaitingBytes, 256 * 1024 * 1024, { min: 1, max: 2 ** 50 }) / shards),
  };
  const maxFailed = wholeNumberOption("maxFailed", options.maxFailed, 10_000, { min: 0, max: 2 ** 40 });
  const batchMaxSize = wholeNumberOption("batchMaxSize", options.batchMaxSize, 64, { min: 1, max: 10_000 });
  const batchMaxWaitMs = wholeNumberOption("batchMaxWaitMs", options.batchMaxWaitMs, 1, { min: 0, max: 1000 });
  const keys = queueKeys(options.prefix ?? DEFAULT_PREFIX, queueName);
  const markTtl = markTtlMs(keepHandledMs);

  const { Queue } = loadBullMQ();
  const queue: Queue<StoredCallback> = new Queue(queueName, {
    // BullMQ's type of a client is its own copy of ioredis's.
    connection: client as unknown as ConnectionOptions,
    prefix: options.prefix,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
    defaultJobOptions: {
      attempts: JOB_ATTEMPTS,
      backoff: { type: WORKER_BACKOFF },
      removeOnComplete: true,
      removeOnFail: { count: maxFailed },
    },
  });
  queue.on("error", () => undefined); // the client's own listener reports it
  // Resolves at the first connection and never rejects: a Redis that is down when the receiver starts delays
  // the first adds (each still answered within timeoutMs); after it, a lost connection fails adds at once.
  const firstConnected = new Promise<void>((resolve) => client.once("ready", () => resolve()));
  async function stats(): Promise<InboxStats> {
    const queueStats = await readQueueStats(client, keys, queueName);
    return { total: sumStats([queueStats]), queues: [queueStats] };
  }
  const stopGauges = createMetrics(options.meterProvider)?.observeInbox(queueName, async () => {
    const { total } = await stats();
    return { waiting: total.waiting, oldestWaitingMs: total.oldestWaitingMs ?? 0 };
  });
  const bounds = { ...caps, maxFailed, keepHandledMs };
  let boundsStored = false;

  let batch: PendingAdd[] = [];
  let batchBytes = 0;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const inFlight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  function schedule(): void {
    if (batch.length >= batchMaxSize || batchBytes >= BATCH_MAX_BYTES) flush();
    else if (timer === undefined) timer = batchMaxWaitMs === 0 ? setImmediate(flush) : setTimeout(flush, batchMaxWaitMs);
  }

  function flush(): void {
    if (timer !== undefined) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
      timer = undefined;
    }
    if (batch.length === 0) return;
    const adds = batch;
    batch = [];
    batchBytes = 0;
    const running = store(adds);
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  }

  /** Stores one round trip's adds, settling each exactly once, within `timeoutMs` of the oldest. */
  async function store(adds: PendingAdd[]): Promise<void> {
    let settled = false;
    const settleAll = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      for (const add of adds) if (error === undefined) add.resolve();
      else add.reject(error);
    };
    const deadline = setTimeout(() => settleAll(new InboxTimeoutError(timeoutMs)), Math.max(0, timeoutMs - (Date.now() - (adds[0]?.enqueuedAt ?? 0))));
    try {
      await storeBatch(adds, () => settled);
      settleAll(undefined);
    } catch (error) {
      settleAll(error instanceof Error ? error : new Error(String(error)));
    } finally {
      clearTimeout(deadline);
    }
  }

  /**
   * Reserves room, adds the new jobs, and settles the known and refused adds; throws when the new ones were
   * not stored. A late add that still succeeds after a timeout is harmless: nothing was acknowledged, and a
   * redelivery finds its job.
   */
  async function storeBatch(adds: PendingAdd[], timedOut: () => boolean): Promise<void> {
    // Deliveries of one event in one round trip: the first is stored, the others share its outcome.
    const leaders = new Map<string, PendingAdd>();
    const unique: PendingAdd[] = [];
    for (const add of adds) {
      if (add.jobId === undefined) unique.push(add);
      else if (!leaders.has(add.jobId)) {
        leaders.set(add.jobId, add);
        unique.push(add);
      }
    }
    if (client.status !== "ready") {
      await firstConnected;
      if (timedOut()) throw new InboxTimeoutError(timeoutMs);
    }
    if (!boundsStored) void client.hset(keys.inbox, bounds).then(() => (boundsStored = true), () => undefined);
    const outcomes = await reserve(client, keys, unique, caps);
    const toAdd = unique.filter((_, i) => outcomes[i] === Reservation.Reserved);
    const full = new Set(unique.filter((_, i) => outcomes[i] === Reservation.Full));
    for (const add of adds) {
      const leader = add.jobId === undefined ? add : leaders.get(add.jobId);
      if (leader !== undefined && full.has(leader)) add.reject(new InboxFullError());
    }
    if (toAdd.length === 0) return;
    try {
      await queue.addBulk(toAdd.map((add) => ({ name: add.name, data: add.data, opts: jobOptions(add.jobId) })));
    } catch (error) {
      // Not stored (or not known to be): give back what was reserved, unless the reply merely came late.
      if (!timedOut()) await release(client, keys, toAdd.reduce((sum, add) => sum + add.bytes, 0)).catch(() => undefined);
      throw error;
    }
  }

  function jobOptions(jobId: string | undefined): JobsOptions {
    // The dedup mark (BullMQ's deduplication key) outlives the job, which is removed once handled.
    return jobId === undefined ? {} : { jobId, deduplication: { id: jobId, ttl: markTtl } };
  }

  return {
    queueName,
    add(entry: InboxEntry): Promise<void> {
      if (closing !== undefined) return Promise.reject(new InboxClosedError());
      const data = storeCallback(entry, Date.now());
      const bytes = data.bytes ?? 0;
      return new Promise<void>((resolve, reject) => {
        batch.push({
          jobId: entry.key === undefined ? undefined : jobIdOfKey(entry.key),
          name: entry.names.at(-1) ?? UNNAMED,
          data,
          bytes,
          enqueuedAt: data.receivedAt,
          resolve,
          reject,
        });
        batchBytes += bytes;
        schedule();
      });
    },
    stats,
    close(): Promise<void> {
      closing ??= (async () => {
        stopGauges?.();
        flush();
        await Promise.allSettled([...inFlight]);
        await queue.close();
      })();
      return closing;
    },
  };
}
