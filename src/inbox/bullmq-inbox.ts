/**
 * The queue side of durable delivery: a {@link CallbackInbox} on a BullMQ queue. Each callback is one job
 * whose id is its dedup key, so a redelivery (to this receiver or another behind the same load balancer)
 * finds the job and adds none. Commands are not queued while Redis is away (`enableOfflineQueue: false`) and
 * every add is bounded by `timeoutMs`, so a receiver answers 503 at once instead of hanging on a dead Redis.
 */
import type { Queue } from "bullmq";
import { wholeNumberOption, MAX_TIMER_MS } from "../read/limits";
import type { CallbackInbox, InboxEntry } from "../receiver/callback-inbox";
import { checkQueueName, loadBullMQ, redisOptions, type InboxConnection } from "./connection";
import { jobIdOfKey, storeCallback, type StoredCallback } from "./stored-callback";

/** Options of {@link createCallbackInbox}. */
export interface CallbackInboxOptions {
  /** The Redis the queue lives on. Run it with persistence (AOF): see the README's "Durable delivery". */
  connection: InboxConnection;
  /** The BullMQ queue's name (no `:`); the worker names the same one. */
  queueName: string;
  /** BullMQ's key prefix. Default `bull`. */
  prefix?: string;
  /** How long an add may take before it is given up and the delivery answered 503, in ms. Default 5 s. */
  timeoutMs?: number;
  /**
   * How long a handled callback's job is kept, in ms: within it a redelivery of the event is acknowledged and
   * dropped. Default 24 hours. Failed jobs are kept until retried or removed.
   */
  keepHandledMs?: number;
  /** Told about the connection's errors (Redis refused, lost). Default: `console.error`. */
  onError?: (error: Error) => void;
}

/** The BullMQ inbox: a {@link CallbackInbox} that can be closed. */
export interface BullMQCallbackInbox extends CallbackInbox {
  /** The queue's name. */
  readonly queueName: string;
  /** Closes the connection to Redis; adds after it reject. */
  close(): Promise<void>;
}

/** Attempts BullMQ allows each job; the worker's `attempts` decides when it stops (its backoff strategy). */
export const JOB_ATTEMPTS = 1_000_000;

/** The backoff type of inbox jobs: computed by the worker from its own `attempts` and `backoff`. */
export const WORKER_BACKOFF = "ci-callback";

/** Name of every inbox job whose callback names no event (a Simple body without one). */
const UNNAMED = "callback";

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

/**
 * Creates the BullMQ inbox. It connects at once and reconnects by itself after an outage.
 * @throws TypeError for a queue name BullMQ refuses or a timeout out of range.
 */
export function createCallbackInbox(options: CallbackInboxOptions): BullMQCallbackInbox {
  const queueName = checkQueueName(options.queueName);
  const timeoutMs = wholeNumberOption("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS, { min: 1, max: MAX_TIMER_MS });
  const keepHandledMs = wholeNumberOption("keepHandledMs", options.keepHandledMs, DEFAULT_KEEP_HANDLED_MS, { min: 1000, max: 2 ** 40 });
  const { Queue } = loadBullMQ();
  const queue: Queue<StoredCallback> = new Queue(queueName, {
    connection: redisOptions(options.connection, { enableOfflineQueue: false }),
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: JOB_ATTEMPTS,
      backoff: { type: WORKER_BACKOFF },
      removeOnComplete: { age: Math.ceil(keepHandledMs / 1000) },
      removeOnFail: false,
    },
  });
  const onError = options.onError ?? ((error: Error) => console.error(`ci-callback: inbox ${queueName}:`, error.message));
  queue.on("error", onError);

  return {
    queueName,
    async add(entry: InboxEntry): Promise<void> {
      const data = storeCallback(entry, Date.now());
      const name = entry.names.at(-1) ?? UNNAMED;
      const added = queue.add(name, data, entry.key === undefined ? {} : { jobId: jobIdOfKey(entry.key) });
      let timeout: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new InboxTimeoutError(timeoutMs)), timeoutMs);
      });
      // A late add that still succeeds is harmless: nothing was acknowledged, and a redelivery finds its job.
      added.catch(() => undefined);
      try {
        await Promise.race([added, deadline]);
      } finally {
        clearTimeout(timeout);
      }
    },
    close: () => queue.close(),
  };
}
