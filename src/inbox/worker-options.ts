/**
 * What a worker is given and what it gives back: its options, the contexts of the failures it reports, and
 * the running worker (src/inbox/worker.ts makes it).
 */
import type { CallbackHandler } from "../receiver/dispatch";
import type { InboxEvent } from "../receiver/callback-inbox";
import type { CallbackEventName, CallbackOfEvent } from "../receiver/events";
import type { CallbackLogger } from "../receiver/logger";
import type { MeterProviderLike } from "../receiver/metrics";
import type { InboxConnection } from "./connection";

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
  /** Callbacks handled at the same time by this worker, per shard: first attempts and retries together. Default 1. */
  concurrency?: number;
  /** Attempts per callback, the first included (1 to 1000); past them the job is failed. Default 5. */
  attempts?: number;
  /** The wait between attempts. Default exponential from 1 s. */
  backoff?: WorkerBackoff;
  /** Time allowed for the handlers of one attempt, in ms; past it the attempt fails. Default 30 s. */
  handlerTimeoutMs?: number;
  /**
   * How long this worker's hold on a callback lasts without being renewed, in ms (renewed while the handlers
   * run); a callback whose worker died is handled again after about this long. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often this worker looks for callbacks of dead workers, in ms. Default 30 s. */
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
  /** Where the worker's lines go (`console` and pino fit). Default: the package's {@link "ci-callback"!defaultLogger}. */
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
