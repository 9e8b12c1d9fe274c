/**
 * The worker side of durable delivery: a BullMQ worker that parses each queued callback again and hands it to
 * handlers registered as on the listener. A failing handler is retried with backoff; past `attempts` the job
 * stays in the queue's failed set (the dead letter, for `ci-callback inbox retry`); a job whose worker died is
 * found by BullMQ's stalled-job check and handled by another worker.
 */
import type { Job, Worker } from "bullmq";
import { readMaxBytes, readMaxDepth, safeParseCallback } from "../canonical/callback";
import { MAX_TIMER_MS, wholeNumberOption } from "../read/limits";
import { createHandlerRegistry, readHandlerTimeoutMs, type CallbackContext, type CallbackHandler } from "../receiver/dispatch";
import { identifyEvent, type CallbackEventName, type CallbackOfEvent } from "../receiver/events";
import { WORKER_BACKOFF } from "./bullmq-inbox";
import { checkQueueName, loadBullMQ, redisOptions, type InboxConnection } from "./connection";
import { storedBody, type StoredCallback } from "./stored-callback";

/** The wait between attempts: `fixed` waits `delayMs` each time, `exponential` doubles it after each failure. */
export interface WorkerBackoff {
  /** How the wait grows from one attempt to the next. */
  type: "fixed" | "exponential";
  /** The first wait, in ms. */
  delayMs: number;
}

/** Where a worker's failure happened, for {@link CallbackWorkerOptions.onError}. */
export interface WorkerErrorContext {
  /**
   * `handler`: an attempt failed (a handler threw or timed out; retried unless it was the last); `body`: the
   * stored body does not parse under this worker's options (failed at once); `connection`: Redis.
   */
  stage: "handler" | "body" | "connection";
  /** The event's dedup key, when known. */
  key?: string;
  /** The job's id, when known. */
  jobId?: string;
  /** Which attempt failed, from 1. */
  attempt?: number;
}

/** What {@link CallbackWorkerOptions.onFailed} learns about a job that failed for good. */
export interface FailedJobContext {
  /** The event's dedup key, when the callback carries one. */
  key: string | undefined;
  /** The job's id (`ci-callback inbox failed` lists it). */
  jobId: string;
  /** Attempts made. */
  attempts: number;
}

/** Options of {@link createCallbackWorker}. */
export interface CallbackWorkerOptions {
  /** The Redis the inbox's queue lives on. */
  connection: InboxConnection;
  /** The queue's name, as given to {@link createCallbackInbox}. */
  queueName: string;
  /** BullMQ's key prefix, as given to the inbox. Default `bull`. */
  prefix?: string;
  /** Callbacks handled at the same time by this worker. Default 1. */
  concurrency?: number;
  /** Attempts per callback, the first included (1 to 1000); past them the job is failed. Default 5. */
  attempts?: number;
  /** The wait between attempts. Default exponential from 1 s. */
  backoff?: WorkerBackoff;
  /** Time allowed for the handlers of one attempt, in ms; past it the attempt fails. Default 30 s. */
  handlerTimeoutMs?: number;
  /**
   * How long this worker's hold on a job lasts without being renewed, in ms (BullMQ renews it while the
   * handlers run); a job whose worker died is handled again after about this long. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs of dead workers, in ms. Default 30 s. */
  stalledIntervalMs?: number;
  /** How often a job may be found stalled before it is failed instead of handled again. Default 1. */
  maxStalledCount?: number;
  /** Called for every callback, before the handlers registered with `on` (as the listener's option). */
  handler?: CallbackHandler;
  /** As the listener's `strict`: give the worker the listener's parse options, since it parses the body again. */
  strict?: boolean;
  /** As the listener's `maxDepth`. Default 64. */
  maxDepth?: number;
  /** As the listener's `maxBytes`. Default 1 MiB. */
  maxBytes?: number;
  /** Told about each failed attempt and connection error. Default: `console.error`. */
  onError?: (error: unknown, context: WorkerErrorContext) => void;
  /** Told about each job that failed for good (attempts exhausted). Default: `console.error`. */
  onFailed?: (error: Error, context: FailedJobContext) => void;
}

/** A running worker; handlers are added by event name, as on the listener. */
export interface CallbackWorker {
  /**
   * Adds a handler for an event, as {@link "ci-callback"!CallbackListener.on} does.
   * @throws RangeError for a name that is not an event.
   */
  on<N extends CallbackEventName>(name: N, handler: CallbackHandler<CallbackOfEvent<N>>): CallbackWorker;
  /** Removes a handler added with `on`. */
  off<N extends CallbackEventName>(name: N, handler: CallbackHandler<CallbackOfEvent<N>>): CallbackWorker;
  /** Resolves once connected to Redis and taking jobs. */
  ready(): Promise<void>;
  /** Takes no new job, finishes the jobs in hand, then closes the connections. */
  close(): Promise<void>;
}

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF: WorkerBackoff = { type: "exponential", delayMs: 1000 };
const timer = { min: 1, max: MAX_TIMER_MS };

/**
 * Creates a worker and starts it. Register handlers before the first job arrives (right after this call).
 * @throws TypeError or RangeError for an option out of its range.
 */
export function createCallbackWorker(options: CallbackWorkerOptions): CallbackWorker {
  const queueName = checkQueueName(options.queueName);
  const attempts = wholeNumberOption("attempts", options.attempts, DEFAULT_ATTEMPTS, { min: 1, max: 1000 });
  const backoff = readBackoff(options.backoff ?? DEFAULT_BACKOFF);
  const handlerTimeoutMs = readHandlerTimeoutMs(options);
  const parseOptions = { strict: options.strict, maxDepth: readMaxDepth(options), maxBytes: readMaxBytes(options) };
  const report = options.onError ?? reportToConsole;
  const onFailed = options.onFailed ?? reportFailedToConsole;
  const registry = createHandlerRegistry(options.handler);
  const { Worker, UnrecoverableError } = loadBullMQ();

  async function handleJob(job: Job<StoredCallback>): Promise<void> {
    const stored = job.data;
    const rawBody = storedBody(stored);
    const result = safeParseCallback(rawBody, { ...parseOptions, contentVersion: stored.contentVersion });
    if (!result.ok) {
      const error = new UnrecoverableError(`the stored body is not a valid callback under this worker's options: ${result.error.message}`);
      report(error, { stage: "body", key: stored.key, jobId: job.id });
      throw error;
    }
    const { key, names } = identifyEvent(result.value);
    const controller = new AbortController();
    const { contentType, contentVersion } = stored;
    const context: CallbackContext = { key, names, rawBody, contentType, contentVersion, signal: controller.signal };
    try {
      await registry.run(result.value, context, controller, handlerTimeoutMs);
    } catch (error) {
      report(error, { stage: "handler", key, jobId: job.id, attempt: job.attemptsMade + 1 });
      // BullMQ keeps an Error's message as the job's failedReason.
      throw error instanceof Error ? error : new Error(`a handler threw ${String(error)}`);
    }
  }

  const worker: Worker<StoredCallback> = new Worker(queueName, handleJob, {
    connection: redisOptions(options.connection),
    prefix: options.prefix,
    concurrency: wholeNumberOption("concurrency", options.concurrency, 1, { min: 1, max: 10_000 }),
    lockDuration: wholeNumberOption("lockDurationMs", options.lockDurationMs, 30_000, timer),
    stalledInterval: wholeNumberOption("stalledIntervalMs", options.stalledIntervalMs, 30_000, timer),
    maxStalledCount: wholeNumberOption("maxStalledCount", options.maxStalledCount, 1, { min: 0, max: 1000 }),
    settings: {
      // The inbox gives every job BullMQ attempts enough; this worker's own `attempts` stops them (-1: no retry).
      backoffStrategy: (attemptsMade: number, type?: string) => {
        if (type !== WORKER_BACKOFF || attemptsMade >= attempts) return -1;
        return backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** (attemptsMade - 1);
      },
    },
  });
  worker.on("error", (error) => report(error, { stage: "connection" }));
  worker.on("failed", (job, error) => {
    // Also emitted for attempts that are retried; a job failed for good has finished.
    if (job === undefined || job.finishedOn === undefined || job.finishedOn === null) return;
    onFailed(error, { key: job.data.key, jobId: job.id ?? "", attempts: job.attemptsMade });
  });

  const callbackWorker: CallbackWorker = {
    on(name, handler) {
      registry.add("on", name, handler);
      return callbackWorker;
    },
    off(name, handler) {
      registry.remove("off", name, handler);
      return callbackWorker;
    },
    ready: async () => {
      await worker.waitUntilReady();
    },
    close: () => worker.close(),
  };
  return callbackWorker;
}

function readBackoff(backoff: WorkerBackoff): WorkerBackoff {
  if (backoff.type !== "fixed" && backoff.type !== "exponential") {
    throw new TypeError(`backoff.type must be "fixed" or "exponential", not ${JSON.stringify(backoff.type)}`);
  }
  return { type: backoff.type, delayMs: wholeNumberOption("backoff.delayMs", backoff.delayMs, 1000, { min: 0, max: MAX_TIMER_MS }) };
}

function reportToConsole(error: unknown, context: WorkerErrorContext): void {
  const at = context.key ?? context.jobId;
  console.error(`ci-callback worker: ${context.stage} failed${at === undefined ? "" : ` for ${at}`}:`, error);
}

function reportFailedToConsole(error: Error, context: FailedJobContext): void {
  console.error(
    `ci-callback worker: job ${context.jobId} failed for good after ${context.attempts} attempts (kept as failed; ` +
      `\`ci-callback inbox retry\` re-queues it): ${error.message}`,
  );
}
