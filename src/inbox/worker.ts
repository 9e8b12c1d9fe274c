/**
 * The worker side of durable delivery: handlers registered as on the listener run for each stored callback.
 * Its mover (src/inbox/mover.ts) reads the callbacks the listener stored and runs each one's first attempt
 * straight from the ingest stream; one whose first attempt fails becomes a BullMQ job, which a BullMQ worker
 * retries with backoff, and past `attempts` keeps in the queue's failed set (the dead letter, for
 * `ci-callback inbox retry`). Both run their handlers in the same `concurrency` slots. A job whose worker died
 * is found by BullMQ's stalled-job check, and an entry whose mover died is claimed by another. A handled
 * callback leaves only its dedup mark (src/inbox/marks.ts).
 */
import type { Job, Worker } from "bullmq";
import { MAX_TIMER_MS, wholeNumberOption } from "../read/limits";
import { createHandlerRegistry, readHandlerTimeoutMs } from "../receiver/dispatch";
import { connectionReporter, defaultLogger, failureLine, logFailure, type CallbackLogger } from "../receiver/logger";
import { createMetrics } from "../receiver/metrics";
import { createAttempts } from "./attempt";
import { WORKER_BACKOFF } from "./bullmq-inbox";
import { isClusterConnection } from "./cluster";
import { bullmqConnection, checkQueueName, createRedisClient, DEFAULT_PREFIX, loadBullMQ, queueKeys, type InboxClient } from "./connection";
import { keepHandledMsOfMarkTtl, markGraceMs } from "./marks";
import { startMover, type RetryJob } from "./mover";
import { release, settle } from "./scripts";
import { readShards, shardQueueNames } from "./shards";
import { Slots } from "./slots";
import { attemptsBefore, isStoredCallback, type StoredCallback } from "./stored-callback";
import type { CallbackWorker, CallbackWorkerOptions, FailedJobContext, WorkerBackoff, WorkerCloseOptions, WorkerErrorContext } from "./worker-options";

export type { CallbackWorker, CallbackWorkerOptions, FailedJobContext, WorkerBackoff, WorkerCloseOptions, WorkerErrorContext } from "./worker-options";

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
  const concurrency = wholeNumberOption("concurrency", options.concurrency, 1, { min: 1, max: 10_000 });
  const logger = options.logger ?? defaultLogger;
  const defaultReport = reportToLogger(logger, queueName, attempts);
  const report = options.onError ?? defaultReport;
  const onFailed = options.onFailed ?? reportFailedToLogger(logger, queueName);
  const metrics = createMetrics(options.meterProvider);
  const registry = createHandlerRegistry(options.handler);
  const attempt = createAttempts({
    registry,
    handlerTimeoutMs: readHandlerTimeoutMs(options),
    parse: { strict: options.strict, maxDepth: options.maxDepth, maxBytes: options.maxBytes },
    metrics,
    report,
  });
  const keys = queueKeys(options.prefix ?? DEFAULT_PREFIX, queueName);
  const { Worker, UnrecoverableError } = loadBullMQ();
  // The worker's own commands (marks of late jobs, the waiting bytes), beside BullMQ's connections; on a
  // cluster also BullMQ's, which makes its blocking connection as a duplicate of it.
  const client: InboxClient = createRedisClient(options.connection, {}, { maxRedirections: WORKER_CLUSTER_REDIRECTIONS });
  client.on("error", (error) => {
    if (closing === undefined) report(error, { stage: "connection" });
  });
  if (options.onError === undefined) client.on("ready", () => defaultReport.back());

  /** The wait before the attempt after `made` attempts, or -1 when they were the last. */
  function delayAfter(made: number): number {
    if (made >= attempts) return -1;
    return backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** (made - 1);
  }

  // The handlers of first attempts and of jobs (retries) run in the same `concurrency` slots.
  const slots = new Slots(concurrency);

  /** A callback's first attempt, straight from the ingest stream: what fails becomes a job, which BullMQ retries. */
  async function handleEntry(stored: StoredCallback, jobId: string): Promise<"handled" | RetryJob> {
    const callback = isStoredCallback(stored) ? attempt.callbackOf(stored) : undefined;
    // A body this worker cannot handle is failed by the job, which reports it.
    if (callback === undefined || !callback.ok) return { delayMs: 0, attemptsBefore: 0 };
    try {
      await attempt.run(stored, callback, { jobId, attempt: 1 });
      return "handled";
    } catch {
      return { delayMs: delayAfter(1), attemptsBefore: 1 };
    }
  }

  async function handleJob(job: Job<StoredCallback>): Promise<void> {
    await slots.acquire();
    try {
      await handleJobInSlot(job);
    } finally {
      slots.release();
    }
  }

  async function handleJobInSlot(job: Job<StoredCallback>): Promise<void> {
    const stored: unknown = job.data;
    if (!isStoredCallback(stored)) {
      const error = new UnrecoverableError("the job's data is not a callback the inbox stored");
      metrics?.attempt("error");
      report(error, { stage: "body", jobId: job.id });
      throw error;
    }
    const { key, event } = stored;
    const callback = attempt.callbackOf(stored);
    if (!callback.ok) {
      const error = new UnrecoverableError(`the stored body is not a valid callback under this worker's options: ${callback.error.message}`);
      metrics?.attempt("error");
      report(error, { stage: "body", key, event, jobId: job.id });
      throw error;
    }
    await attempt.run(stored, callback, { jobId: job.id, attempt: attemptsMade(job) + 1 });
    await markLateJob(job);
  }

  /** A job handled past its mark's grace sets the mark again, so that it lasts `keepHandledMs` from now. */
  async function markLateJob(job: Job<StoredCallback>): Promise<void> {
    const ttl = job.opts.deduplication?.ttl;
    // A callback without a key is never a duplicate: its mark only keeps the mover's adds idempotent.
    if (job.id === undefined || ttl === undefined || job.data.key === undefined) return;
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

  const lockDuration = wholeNumberOption("lockDurationMs", options.lockDurationMs, 30_000, timer);
  const stalledInterval = wholeNumberOption("stalledIntervalMs", options.stalledIntervalMs, 30_000, timer);
  const worker: Worker<StoredCallback> = new Worker(queueName, handleJob, {
    connection: bullmqConnection(options.connection, client),
    prefix: options.prefix,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount: wholeNumberOption("maxStalledCount", options.maxStalledCount, 1, { min: 0, max: 1000 }),
    settings: {
      // The inbox gives every job BullMQ attempts enough; this worker's own `attempts` stops them (-1: no retry).
      backoffStrategy: (made: number, type?: string, _error?: Error, job?: { data?: unknown }) =>
        type === WORKER_BACKOFF ? delayAfter(made + attemptsBefore(job?.data)) : -1,
    },
  });
  let closing: Promise<void> | undefined;
  // Connection errors while the worker closes (its connections going away) are not failures to report.
  worker.on("error", (error) => {
    if (closing === undefined) report(error, { stage: "connection" });
  });
  // The mover holds an entry as the worker holds a job: another mover claims it when it was idle as long.
  const mover = startMover({
    client,
    keys,
    queueName,
    prefix: options.prefix,
    claimIdleMs: lockDuration,
    claimEveryMs: stalledInterval,
    // A worker with one attempt leaves every callback to BullMQ, which fails it for good when it fails.
    direct: attempts > 1 ? { slots, handle: handleEntry } : undefined,
    report: (error) => {
      if (closing === undefined) report(error, { stage: "connection" });
    },
  });
  worker.on("completed", finished);
  worker.on("failed", (job, error) => {
    // Also emitted for attempts that are retried; a job failed for good has finished.
    if (job === undefined || job.finishedOn === undefined || job.finishedOn === null) return;
    finished(job);
    const data: Partial<StoredCallback> = isStoredCallback(job.data) ? job.data : {};
    onFailed(error, { key: data.key, event: data.event, jobId: job.id ?? "", attempts: attemptsMade(job) });
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
    const ended = Promise.all([worker.close(), mover.stop()]);
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
      await Promise.all([worker.waitUntilReady(), mover.ready()]);
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

/** Attempts made at a job's callback, those before it became a job included. */
function attemptsMade(job: Job<StoredCallback>): number {
  return job.attemptsMade + attemptsBefore(job.data);
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
