/**
 * The worker side of durable delivery: a BullMQ worker that parses each queued callback again and hands it to
 * handlers registered as on the listener. A failing handler is retried with backoff; past `attempts` the job
 * stays in the queue's failed set (the dead letter, for `ci-callback inbox retry`); a job whose worker died is
 * found by BullMQ's stalled-job check and handled by another worker. A handled job is removed, and leaves
 * its dedup mark (src/inbox/marks.ts).
 */
import type { Job, Worker } from "bullmq";
import { readMaxBytes, readMaxDepth, safeParseCallback, type CallbackResult } from "../canonical/callback";
import { MAX_TIMER_MS, wholeNumberOption } from "../read/limits";
import type { InboxEvent } from "../receiver/callback-inbox";
import { createHandlerRegistry, HandlerTimeoutError, LazyAbortController, readHandlerTimeoutMs, type CallbackContext, type CallbackHandler } from "../receiver/dispatch";
import type { CallbackEventName, CallbackOfEvent } from "../receiver/events";
import { connectionReporter, defaultLogger, failureLine, logFailure, type CallbackLogger } from "../receiver/logger";
import { createMetrics, eventAttribute, type MeterProviderLike } from "../receiver/metrics";
import { WORKER_BACKOFF } from "./bullmq-inbox";
import { isClusterConnection } from "./cluster";
import { bullmqConnection, checkQueueName, createRedisClient, DEFAULT_PREFIX, loadBullMQ, queueKeys, type InboxClient, type InboxConnection } from "./connection";
import { keepHandledMsOfMarkTtl, markGraceMs } from "./marks";
import { release, settle } from "./scripts";
import { readShards, shardQueueNames } from "./shards";
import { isStoredCallback, storedBody, type StoredCallback } from "./stored-callback";

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
   * stored body does not parse under this worker's options, or the job's data is not an inbox callback
   * (failed at once); `connection`: Redis.
   */
  stage: "handler" | "body" | "connection";
  /** The event's dedup key, when known. */
  key?: string;
  /** What names the event (EventName, Tag, JobId/RunId/trace_id), when known. */
  event?: InboxEvent;
  /** The job's id, when known. */
  jobId?: string;
  /** Which attempt failed, from 1. */
  attempt?: number;
}

/** What {@link CallbackWorkerOptions.onFailed} learns about a job that failed for good. */
export interface FailedJobContext {
  /** The event's dedup key, when the callback carries one. */
  key: string | undefined;
  /** What names the event (EventName, Tag, JobId/RunId/trace_id), when known. */
  event: InboxEvent | undefined;
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
  /** The inbox's `shards`: the worker takes callbacks from every shard. Default 1. */
  shards?: number;
  /** Callbacks handled at the same time by this worker, per shard. Default 1. */
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
  /**
   * As the listener's `strict`. A worker given `strict`, `maxDepth` or `maxBytes` parses each stored body
   * again under them (a job failing them fails at once); one given none hands the handlers the canonical
   * object the listener validated, stored with the job, and parses only jobs stored without one.
   */
  strict?: boolean;
  /** As the listener's `maxDepth`. Default 64. */
  maxDepth?: number;
  /** As the listener's `maxBytes`. Default 1 MiB. */
  maxBytes?: number;
  /**
   * Told about each failed attempt and connection error: the one place a worker reports them. Default: one
   * line to `logger` naming the event and the attempt (`warn` for an attempt, `error` for a body that does not
   * parse or the connection), the stack at `debug`; the same connection error at most once a minute.
   */
  onError?: (error: unknown, context: WorkerErrorContext) => void;
  /**
   * Told about each job that failed for good (attempts exhausted): the one place it is reported. Default: one
   * `error` line to `logger` naming the event.
   */
  onFailed?: (error: Error, context: FailedJobContext) => void;
  /** Where the worker's lines go (`console` and pino fit). Default: the package's {@link defaultLogger}. */
  logger?: CallbackLogger;
  /**
   * Where `ci_callback.worker.attempts` and `ci_callback.handler.duration` go (README, "Logs and metrics").
   * Default: the global meter provider of `@opentelemetry/api` when installed; otherwise none.
   */
  meterProvider?: MeterProviderLike;
}

/** How {@link CallbackWorker.close} ends. */
export interface WorkerCloseOptions {
  /**
   * How long the jobs in hand may take to finish, in ms; past it the worker closes without them (their locks
   * expire and another worker's stalled check takes them back). Default: as long as they take.
   */
  timeoutMs?: number;
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
  /**
   * The one call that shuts a worker down: takes no new job, finishes the jobs in hand (within `timeoutMs`
   * when given), then closes the connections. Call it on SIGTERM.
   */
  close(options?: WorkerCloseOptions): Promise<void>;
}

const DEFAULT_ATTEMPTS = 5;
/**
 * Redirections a worker's command on a cluster may take, 100 ms apart: about a minute of a master restarting,
 * as on a single Redis, where BullMQ's connection retries without end. ioredis's 16 would give up a job's
 * completion within 2 s, and the job would be handled again once its lock expired (docs/decisions/0017).
 */
const WORKER_CLUSTER_REDIRECTIONS = 600;
const DEFAULT_BACKOFF: WorkerBackoff = { type: "exponential", delayMs: 1000 };
const timer = { min: 1, max: MAX_TIMER_MS };

/** How long handled jobs' bytes are gathered before they are counted off the waiting bytes, in ms. */
const RELEASE_EVERY_MS = 50;

/** The worker of one queue (`queueName`: the inbox's, or one of its shards'). */
function createQueueWorker(options: CallbackWorkerOptions, queueName: string): CallbackWorker {
  const attempts = wholeNumberOption("attempts", options.attempts, DEFAULT_ATTEMPTS, { min: 1, max: 1000 });
  const backoff = readBackoff(options.backoff ?? DEFAULT_BACKOFF);
  const handlerTimeoutMs = readHandlerTimeoutMs(options);
  const parseOptions = { strict: options.strict, maxDepth: readMaxDepth(options), maxBytes: readMaxBytes(options) };
  // The listener validated each body before it was stored: with no parse options of its own, the worker trusts it.
  const reparse = options.strict !== undefined || options.maxDepth !== undefined || options.maxBytes !== undefined;
  const logger = options.logger ?? defaultLogger;
  const defaultReport = reportToLogger(logger, queueName, attempts);
  const report = options.onError ?? defaultReport;
  const onFailed = options.onFailed ?? reportFailedToLogger(logger, queueName);
  const metrics = createMetrics(options.meterProvider);
  const registry = createHandlerRegistry(options.handler);
  const keys = queueKeys(options.prefix ?? DEFAULT_PREFIX, queueName);
  const { Worker, UnrecoverableError } = loadBullMQ();
  // The worker's own commands (marks of late jobs, the waiting bytes), beside BullMQ's connections; on a
  // cluster also BullMQ's, which makes its blocking connection as a duplicate of it.
  const client: InboxClient = createRedisClient(options.connection, {}, { maxRedirections: WORKER_CLUSTER_REDIRECTIONS });
  client.on("error", (error) => {
    if (closing === undefined) report(error, { stage: "connection" });
  });
  if (options.onError === undefined) client.on("ready", () => defaultReport.back());

  async function handleJob(job: Job<StoredCallback>): Promise<void> {
    const stored: unknown = job.data;
    if (!isStoredCallback(stored)) {
      const error = new UnrecoverableError("the job's data is not a callback the inbox stored");
      metrics?.attempt("error");
      report(error, { stage: "body", jobId: job.id });
      throw error;
    }
    const { key, event, contentType, contentVersion } = stored;
    // The text is parsed as it is (bytes would be decoded back to it); handlers that read rawBody get the bytes.
    const text = stored.bodyEncoding === "base64" ? undefined : stored.body;
    let rawBody: Uint8Array | string | undefined = stored.bodyEncoding === "utf8" ? stored.body : undefined;
    const result: CallbackResult =
      !reparse && stored.callback !== undefined
        ? { ok: true, value: stored.callback }
        : safeParseCallback(text ?? (rawBody ??= storedBody(stored)), { ...parseOptions, contentVersion });
    if (!result.ok) {
      const error = new UnrecoverableError(`the stored body is not a valid callback under this worker's options: ${result.error.message}`);
      metrics?.attempt("error");
      report(error, { stage: "body", key, event, jobId: job.id });
      throw error;
    }
    // The names and key the listener found for this body (identifyEvent): the same body gives the same ones.
    const controller = new LazyAbortController();
    const context: CallbackContext = {
      key,
      names: stored.names,
      get rawBody() {
        return (rawBody ??= storedBody(stored));
      },
      contentType,
      contentVersion,
      get signal() {
        return controller.signal;
      },
    };
    const startedAt = metrics === undefined ? 0 : performance.now();
    try {
      await registry.run(result.value, context, controller, handlerTimeoutMs);
    } catch (error) {
      if (metrics !== undefined) {
        const outcome = error instanceof HandlerTimeoutError ? "timeout" : "error";
        metrics.handler(eventAttribute(stored.names), outcome, (performance.now() - startedAt) / 1000);
        metrics.attempt(outcome);
      }
      report(error, { stage: "handler", key, event, jobId: job.id, attempt: job.attemptsMade + 1 });
      // BullMQ keeps an Error's message as the job's failedReason.
      throw error instanceof Error ? error : new Error(`a handler threw ${String(error)}`);
    }
    if (metrics !== undefined) {
      metrics.handler(eventAttribute(stored.names), "success", (performance.now() - startedAt) / 1000);
      metrics.attempt("success");
    }
    await markLateJob(job);
  }

  /** A job handled past its mark's grace sets the mark again, so that it lasts `keepHandledMs` from now. */
  async function markLateJob(job: Job<StoredCallback>): Promise<void> {
    const ttl = job.opts.deduplication?.ttl;
    if (job.id === undefined || ttl === undefined) return;
    const keepHandledMs = keepHandledMsOfMarkTtl(ttl);
    if (Date.now() - job.timestamp <= markGraceMs(keepHandledMs)) return;
    await client.set(keys.mark(job.id), job.id, "PX", keepHandledMs);
  }

  // Bytes of finished jobs, counted off the inbox's waiting bytes together every RELEASE_EVERY_MS.
  let finishedBytes = 0;
  let releaseTimer: NodeJS.Timeout | undefined;
  function finished(job: Job<StoredCallback> | undefined): void {
    const bytes = job?.data?.bytes;
    if (typeof bytes !== "number") return;
    finishedBytes += bytes;
    releaseTimer ??= setTimeout(releaseFinished, RELEASE_EVERY_MS);
  }
  async function releaseFinished(): Promise<void> {
    releaseTimer = undefined;
    const bytes = finishedBytes;
    finishedBytes = 0;
    await release(client, keys, bytes).catch((error: unknown) => report(error, { stage: "connection" }));
  }

  const worker: Worker<StoredCallback> = new Worker(queueName, handleJob, {
    connection: bullmqConnection(options.connection, client),
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
  let closing: Promise<void> | undefined;
  // Connection errors while the worker closes (its connections going away) are not failures to report.
  worker.on("error", (error) => {
    if (closing === undefined) report(error, { stage: "connection" });
  });
  worker.on("completed", finished);
  worker.on("failed", (job, error) => {
    // Also emitted for attempts that are retried; a job failed for good has finished.
    if (job === undefined || job.finishedOn === undefined || job.finishedOn === null) return;
    finished(job);
    const data: Partial<StoredCallback> = isStoredCallback(job.data) ? job.data : {};
    onFailed(error, { key: data.key, event: data.event, jobId: job.id ?? "", attempts: job.attemptsMade });
  });
  // Nothing left to take: what a lost reply left counted as waiting is set right (src/inbox/scripts.ts), at
  // most once a second (a queue that drains after every job would pay a script each).
  let settledAt = 0;
  worker.on("drained", () => {
    if (Date.now() - settledAt < 1000) return;
    settledAt = Date.now();
    void settle(client, keys).catch(() => undefined);
  });

  async function close(closeOptions: WorkerCloseOptions = {}): Promise<void> {
    const timeoutMs = closeOptions.timeoutMs === undefined ? undefined : wholeNumberOption("timeoutMs", closeOptions.timeoutMs, 0, { min: 0, max: MAX_TIMER_MS });
    const ended = worker.close();
    if (timeoutMs === undefined) await ended;
    else {
      let timeout: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([ended.then(() => true), new Promise<boolean>((resolve) => (timeout = setTimeout(resolve, timeoutMs, false)))]);
      clearTimeout(timeout);
      // Past the timeout the connections are closed under the jobs in hand: their locks expire, and another
      // worker's stalled check takes them back.
      if (!inTime) await worker.disconnect().catch(() => undefined);
    }
    clearTimeout(releaseTimer);
    await releaseFinished();
    await client.quit().catch(() => client.disconnect());
  }

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
    close: (closeOptions) => (closing ??= close(closeOptions)),
  };
  return callbackWorker;
}

/**
 * Creates a worker and starts it: on a single Redis or a Redis Cluster, taking callbacks from the inbox's
 * queue or from every one of its `shards`, with the same handlers. Register handlers before the first job
 * arrives (right after this call).
 * @throws TypeError or RangeError for an option out of its range.
 */
export function createCallbackWorker(options: CallbackWorkerOptions): CallbackWorker {
  const queueName = checkQueueName(options.queueName);
  const names = shardQueueNames(queueName, readShards(options.shards), { clustered: isClusterConnection(options.connection), prefix: options.prefix });
  if (names.length === 1) return createQueueWorker(options, names[0]!);
  const workers: CallbackWorker[] = [];
  try {
    for (const name of names) workers.push(createQueueWorker(options, name));
  } catch (error) {
    for (const worker of workers) void worker.close().catch(() => undefined);
    throw error;
  }
  const sharded: CallbackWorker = {
    on(name, handler) {
      for (const worker of workers) worker.on(name, handler);
      return sharded;
    },
    off(name, handler) {
      for (const worker of workers) worker.off(name, handler);
      return sharded;
    },
    ready: async () => {
      await Promise.all(workers.map((worker) => worker.ready()));
    },
    close: async (closeOptions) => {
      await Promise.all(workers.map((worker) => worker.close(closeOptions)));
    },
  };
  return sharded;
}

function readBackoff(backoff: WorkerBackoff): WorkerBackoff {
  if (backoff.type !== "fixed" && backoff.type !== "exponential") {
    throw new TypeError(`backoff.type must be "fixed" or "exponential", not ${JSON.stringify(backoff.type)}`);
  }
  return { type: backoff.type, delayMs: wholeNumberOption("backoff.delayMs", backoff.delayMs, 1000, { min: 0, max: MAX_TIMER_MS }) };
}

/** The default `onError`: see {@link CallbackWorkerOptions.onError}; `back()` after a reconnection. */
function reportToLogger(logger: CallbackLogger, queueName: string, attempts: number): ((error: unknown, context: WorkerErrorContext) => void) & { back(): void } {
  const who = `worker ${queueName}`;
  const connection = connectionReporter(logger, who);
  const report = (error: unknown, context: WorkerErrorContext): void => {
    if (context.stage === "connection") return connection.error(error);
    const fields = { event: context.event, key: context.key, queueJob: context.key === undefined ? context.jobId : undefined };
    if (context.stage === "body") return logFailure(logger, "error", who, "the stored callback cannot be handled, failed without retry", error, fields);
    const attempt = context.attempt === undefined ? undefined : `${context.attempt}/${attempts}`;
    const what = context.attempt !== undefined && context.attempt >= attempts ? "the last attempt failed" : "an attempt failed, to be retried";
    logFailure(logger, "warn", who, what, error, { ...fields, attempt });
  };
  return Object.assign(report, { back: () => connection.ready() });
}

/** The default `onFailed`: one error line naming the event. */
function reportFailedToLogger(logger: CallbackLogger, queueName: string): (error: Error, context: FailedJobContext) => void {
  return (error, context) => {
    const what = `failed for good after ${context.attempts} attempts (kept as failed; \`ci-callback inbox retry\` re-queues it)`;
    const fields = { event: context.event, key: context.key, queueJob: context.key === undefined ? context.jobId : undefined };
    // The stack was written at debug with the attempt's line.
    logger.error(failureLine(`worker ${queueName}`, what, error, fields));
  };
}
