/**
 * The callback listener: a `node:http` request handler that reads, checks and parses a CI callback, drops
 * redeliveries, and answers 2xx only once the user's handlers have finished (500 when one fails, so a
 * sender that retries delivers again: at-least-once), or, given an inbox, once the callback is stored for a
 * worker (src/inbox/). The framework adapters all go through `handle`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readMaxBytes, readMaxDepth, safeParseCallback } from "../canonical/callback";
import { MAX_TIMER_MS, wholeNumberOption } from "../read/limits";
import type { CallbackError } from "../read/errors";
import { answer, refusal, writeNodeAnswer, type ListenerAnswer } from "./answer";
import { decodeContentEncoding } from "./content-encoding";
import type { DedupStore } from "./dedup-store";
import type { CallbackInbox } from "./callback-inbox";
import { createHandlerRegistry, HandlerTimeoutError, LazyAbortController, readHandlerTimeoutMs, type CallbackContext, type CallbackHandler } from "./dispatch";
import { labelEvent, type EventLabel } from "./event-label";
import { identifyEvent, type CallbackEventName, type CallbackOfEvent, type ReceivedCallback } from "./events";
import { defaultLogger, describeError, logFailure, RepeatGate, type CallbackLogger } from "./logger";
import { MemoryDedupStore } from "./memory-store";
import { createMetrics, eventAttribute, type MeterProviderLike } from "./metrics";
import { nodeCrypto } from "./node-crypto";
import { callbackRequestFromNode } from "./node-request";
import { BodyReadError, tooLarge, type BodyLimits } from "./read-body";
import type { CallbackRequest } from "./request";
import { createSecretCheck, type CallbackSecret } from "./secret";

// getBuiltinModule, not import: compiled to require(), an import breaks an ES module bundle of the package.
const { setTimeout: delay } = process.getBuiltinModule("node:timers/promises");

export { HandlerTimeoutError, type CallbackContext, type CallbackHandler } from "./dispatch";
export type { CallbackRequest } from "./request";

/** Duplicate detection. Deliveries of one event share a key: EventName, JobId, and RunId for workflows. */
export interface DedupOptions {
  /** Where handled events are remembered. Default: a new {@link MemoryDedupStore} (one instance only). */
  store?: DedupStore;
  /** How long a handled event is remembered, in ms. Default 24 hours. */
  ttlMs?: number;
  /**
   * How long a claim lasts while the handlers run, in ms: past it (say, the process died) the event can be
   * handled again. Keep it above your handlers' longest run. Default 5 minutes.
   */
  processingTtlMs?: number;
  /**
   * How long a duplicate waits for the delivery that is handling the event, in ms. It is acknowledged when
   * that one succeeds, takes over when that one fails, and gets 503 (retry later) past this. Default 10 s.
   */
  waitMs?: number;
}

/** Where a failure happened, for {@link CallbackListenerOptions.onError}. */
export interface ListenerErrorContext {
  /**
   * `handler`: a handler threw or timed out; `dedup`: the store failed; `body`: the raw body was unavailable;
   * `inbox`: the inbox did not store the callback (answered 503); `internal`: a bug; `config`: not a failure
   * but a warning about the options, told once when the listener is made (a listener without `secret`).
   */
  stage: "handler" | "dedup" | "body" | "inbox" | "internal" | "config";
  /** The event's dedup key, when known. */
  key?: string;
  /** The event's name, Tag and ids, when the body was read (stages `handler`, `dedup`, `inbox`). */
  event?: EventLabel;
}

/** A request the listener refused (answered 4xx, not to be delivered again), for {@link CallbackListenerOptions.onRefused}. */
export interface RefusedRequest {
  /** The status answered: 400 (not a valid callback), 401, 405, 408, 413, 415. */
  status: number;
  /** The answer's `error.kind`: `unauthorized`, `method`, `limit`, `timeout`, `unsupported-encoding`, `validation`, … */
  kind: string;
  /** The answer's `error.message` (it never quotes the body). */
  message: string;
}

/** Options of {@link createCallbackListener}. */
export interface CallbackListenerOptions {
  /** Called for every valid callback, before the handlers registered with `on`. */
  handler?: CallbackHandler;
  /**
   * Require a shared secret in the callback URL (401 otherwise); a string is the query parameter `token`.
   * CI callbacks carry no signature, so a listener without one accepts a POST from anyone who can reach it: left
   * out, the listener warns once (`onError`, stage `config`); `false` says so on purpose (another layer checks).
   */
  secret?: string | CallbackSecret | false;
  /** Largest body accepted, in bytes (413 past it). Default 1 MiB. */
  maxBytes?: number;
  /** Time allowed for the whole body to arrive, in ms (408 past it). Default 10 s. */
  bodyTimeoutMs?: number;
  /**
   * Time allowed for the handlers of one delivery, in ms. Past it the delivery is answered 500, its dedup claim
   * released (so a redelivery is handled), `context.signal` aborted and `onError` told (stage `handler`, a
   * {@link HandlerTimeoutError}). Default 30 s; `dedup.processingTtlMs` must be longer.
   */
  handlerTimeoutMs?: number;
  /** Report nodes the schema does not know as issues (400). Default `false`. */
  strict?: boolean;
  /** Deepest element nesting accepted. Default 64. */
  maxDepth?: number;
  /** Duplicate detection; `false` hands every delivery to the handlers. Default: in memory. */
  dedup?: false | DedupOptions;
  /**
   * Durable delivery: each valid callback is added to this inbox (a {@link "ci-callback/inbox"!createCallbackInbox}) and answered
   * 200 once it is stored, 503 with `Retry-After` when it cannot be; a worker ({@link "ci-callback/inbox"!createCallbackWorker})
   * runs the handlers. Such a listener runs no handler itself, so `handler`, `handlerTimeoutMs`, `dedup` and
   * `on` are refused (the inbox drops duplicates by key).
   */
  inbox?: CallbackInbox;
  /**
   * Told about the console's test request (sent when a callback URL is saved), which is answered 200 and
   * handed to no handler. Default: nothing.
   */
  onTest?: (callback: ReceivedCallback, context: CallbackContext) => void;
  /** Told about each body refused as invalid (answered 400), e.g. to log it; the error never quotes the body. */
  onInvalid?: (error: CallbackError) => void;
  /**
   * Told about each request refused (answered 4xx: a wrong secret, method, size, encoding, a slow or invalid
   * body). Nothing is logged for them, since anyone who can reach the URL can send many; they are counted in
   * the `ci_callback.listener.requests` metric by status. Default: nothing.
   */
  onRefused?: (refused: RefusedRequest) => void;
  /**
   * Told about each failure answered 5xx, and about a missing `secret` when the listener is made (stage
   * `config`). Default: one line to `logger` (`error`, `warn` for `config`) naming the event, its stack at
   * `debug`; a failure other than a handler's (the dedup store, the inbox, the body), the same one at most
   * once a minute.
   */
  onError?: (error: unknown, context: ListenerErrorContext) => void;
  /** Where the listener's lines go (`console` and pino fit). Default: {@link defaultLogger}. */
  logger?: CallbackLogger;
  /**
   * Where the metrics go (README, "Logs and metrics"). Default: the global meter provider of
   * `@opentelemetry/api` when that package is installed; otherwise nothing is recorded.
   */
  meterProvider?: MeterProviderLike;
}

/**
 * A `node:http` request handler (`http.createServer(listener)`, or `app.post(path, listener)` in frameworks
 * built on Node's request) that can also be subscribed to by event name.
 */
export interface CallbackListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * Adds a handler for an event: `TaskFinish` (every job), `TaskFinish:<Tag>` (one job type the package knows),
   * `WorkflowFinish` or a moderation event. A job Tag newer than the package: subscribe to `TaskFinish` and
   * check `callback.JobsDetail[0].Tag`.
   * @throws RangeError for a name that is not an event, or a `TaskFinish:<Tag>` whose Tag the package does not
   * know; TypeError on a listener with an inbox (register on the worker).
   */
  on<N extends CallbackEventName>(name: N, handler: CallbackHandler<CallbackOfEvent<N>>): CallbackListener;
  /**
   * Removes a handler added with `on`.
   * @throws RangeError as `on` does.
   */
  off<N extends CallbackEventName>(name: N, handler: CallbackHandler<CallbackOfEvent<N>>): CallbackListener;
  /** The framework-independent core: a request in, the answer to send out. Never rejects. */
  handle(request: CallbackRequest): Promise<ListenerAnswer>;
  /** The body limits, for adapters that read the body themselves. */
  readonly limits: BodyLimits;
}

const DEFAULT_BODY_TIMEOUT_MS = 10_000;
const DEFAULT_DEDUP_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_PROCESSING_TTL_MS = 5 * 60 * 1000;
const DEFAULT_DUPLICATE_WAIT_MS = 10_000;
const timer = { min: 1, max: MAX_TIMER_MS };
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Creates a callback listener. See the README's "Receiving callbacks" for the delivery semantics.
 * @throws TypeError or RangeError when a limit, timeout or time-to-live is not a whole number in its range.
 */
export function createCallbackListener(options: CallbackListenerOptions = {}): CallbackListener {
  const limits: BodyLimits = {
    maxBytes: readMaxBytes(options),
    timeoutMs: wholeNumberOption("bodyTimeoutMs", options.bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS, timer),
  };
  const { inbox } = options;
  if (inbox !== undefined) refuseInlineOptions(options);
  const handlerTimeoutMs = readHandlerTimeoutMs(options);
  const parseOptions = { strict: options.strict, maxDepth: readMaxDepth(options), maxBytes: limits.maxBytes };
  const secretMatches = options.secret === undefined || options.secret === false ? undefined : createSecretCheck(options.secret);
  const dedup = options.dedup === false || inbox !== undefined ? undefined : resolveDedup(options.dedup ?? {}, handlerTimeoutMs);
  const report = options.onError ?? reportToLogger(options.logger ?? defaultLogger);
  const { onRefused } = options;
  const metrics = createMetrics(options.meterProvider);
  if (options.secret === undefined) report(new Error(NO_SECRET), { stage: "config" });
  const handlers = createHandlerRegistry(options.handler);

  async function handle(request: CallbackRequest): Promise<ListenerAnswer> {
    const startedAt = metrics === undefined ? 0 : performance.now();
    const seen: Seen = { names: undefined };
    let reply: ListenerAnswer;
    try {
      reply = await receive(request, seen);
    } catch (error) {
      report(error, { stage: "internal" });
      reply = refusal(500, "internal", "the receiver failed; deliver again later");
    }
    if (onRefused !== undefined && reply.status >= 400 && reply.status < 500) tellRefused(onRefused, reply);
    metrics?.request(reply.status, seen.names === undefined ? undefined : eventAttribute(seen.names), (performance.now() - startedAt) / 1000);
    return reply;
  }

  async function receive(request: CallbackRequest, seen: Seen): Promise<ListenerAnswer> {
    // Refused before the body is read: the connection is closed, so that no one can make the server drain it.
    if (request.method !== "POST") {
      return refusal(405, "method", "callbacks are POSTed", { headers: { allow: "POST", ...CLOSE } });
    }
    if (secretMatches !== undefined && !secretMatches(request.url)) {
      return refusal(401, "unauthorized", "the callback URL's secret is missing or wrong", { headers: CLOSE });
    }
    let rawBody: Uint8Array | string;
    try {
      rawBody = await request.body();
      if (request.contentEncoding !== undefined) rawBody = await decodeContentEncoding(rawBody, request.contentEncoding, limits.maxBytes);
    } catch (error) {
      if (!(error instanceof BodyReadError)) throw error;
      if (error.status === 500) report(error, { stage: "body" });
      return refusal(error.status, error.kind, error.message, { headers: error.status === 413 || error.status === 408 ? CLOSE : undefined });
    }
    // A body a parser handed over was read under the framework's limit, not ours.
    const size = typeof rawBody === "string" ? Buffer.byteLength(rawBody) : rawBody.byteLength;
    if (size > limits.maxBytes) {
      const error = tooLarge(size, limits.maxBytes);
      return refusal(413, error.kind, error.message);
    }
    const result = safeParseCallback(rawBody, { ...parseOptions, contentVersion: request.contentVersion });
    if (!result.ok) {
      options.onInvalid?.(result.error);
      return refusal(400, result.error.kind, "the body is not a valid CI callback", { issues: result.error.issues });
    }
    const callback = result.value;
    const { key, names, test } = identifyEvent(callback);
    seen.names = names;
    const controller = new LazyAbortController();
    const { contentType, contentVersion } = request;
    const context: CallbackContext = {
      key,
      names,
      rawBody,
      contentType,
      contentVersion,
      get signal() {
        return controller.signal;
      },
    };
    if (test) {
      options.onTest?.(callback, context);
      return answer(200, { ok: true, test: true });
    }
    if (inbox !== undefined) return enqueue(inbox, context, callback);
    if (dedup === undefined || key === undefined) return deliver(callback, context, controller);
    return deliverOnce(callback, context, controller, key, dedup);
  }

  /** Runs the handlers, answering 500 when they fail or run past `handlerTimeoutMs`. */
  async function deliver(callback: ReceivedCallback, context: CallbackContext, controller: LazyAbortController): Promise<ListenerAnswer> {
    const startedAt = metrics === undefined ? 0 : performance.now();
    try {
      await handlers.run(callback, context, controller, handlerTimeoutMs);
    } catch (error) {
      const timedOut = error instanceof HandlerTimeoutError;
      metrics?.handler(eventAttribute(context.names), timedOut ? "timeout" : "error", (performance.now() - startedAt) / 1000);
      report(error, { stage: "handler", key: context.key, event: labelEvent(callback) });
      if (!timedOut) return refusal(500, "handler", "the handler failed; deliver again");
      return refusal(500, "handler-timeout", "the handler did not finish in time; deliver again");
    }
    metrics?.handler(eventAttribute(context.names), "success", (performance.now() - startedAt) / 1000);
    return answer(200, { ok: true });
  }

  /** Adds the callback to the inbox: 200 once stored (or already there), 503 when it could not be. */
  async function enqueue(target: CallbackInbox, context: CallbackContext, callback: ReceivedCallback): Promise<ListenerAnswer> {
    const { key, names, rawBody, contentType, contentVersion } = context;
    const event = labelEvent(callback);
    try {
      await target.add({ key, names, rawBody, contentType, contentVersion, event, callback });
    } catch (error) {
      report(error, { stage: "inbox", key, event });
      return refusal(503, "inbox", "the callback could not be stored; deliver again later", {
        headers: { "retry-after": String(INBOX_RETRY_AFTER_S) },
      });
    }
    return answer(200, { ok: true });
  }

  /** Claims the key, runs the handlers, marks the key done, or releases it when they fail. */
  async function deliverOnce(
    callback: ReceivedCallback,
    context: CallbackContext,
    controller: LazyAbortController,
    key: string,
    settings: Required<DedupOptions>,
  ): Promise<ListenerAnswer> {
    const { store } = settings;
    const token = nodeCrypto().randomUUID();
    const deadline = Date.now() + settings.waitMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      let claim;
      try {
        claim = await store.claim(key, token, settings.processingTtlMs);
      } catch (error) {
        report(error, { stage: "dedup", key, event: labelEvent(callback) });
        return refusal(500, "dedup", "the dedup store failed; deliver again");
      }
      if (claim === "done") return answer(200, { ok: true, duplicate: true });
      if (claim === "claimed") break;
      // Another delivery is handling this event: wait for its outcome rather than acknowledge blindly,
      // since it may still fail.
      if (Date.now() + pause > deadline) {
        return refusal(503, "in-progress", "this event is being handled by another delivery; deliver again later", {
          headers: { "retry-after": "1" },
        });
      }
      await delay(pause);
    }
    const reply = await deliver(callback, context, controller);
    try {
      if (reply.status === 200) await store.complete(key, token, settings.ttlMs);
      else await store.release(key, token);
    } catch (error) {
      // The handlers' outcome stands; the mark expires after processingTtlMs.
      report(error, { stage: "dedup", key, event: labelEvent(callback) });
    }
    return reply;
  }

  const listener = ((req: IncomingMessage, res: ServerResponse): void => {
    void handle(callbackRequestFromNode(req, limits)).then((reply) => writeNodeAnswer(req, res, reply));
  }) as CallbackListener;
  listener.on = (name, handler) => {
    if (inbox !== undefined) throw new TypeError(INBOX_RUNS_NO_HANDLER);
    handlers.add("on", name, handler);
    return listener;
  };
  listener.off = (name, handler) => {
    if (inbox !== undefined) throw new TypeError(INBOX_RUNS_NO_HANDLER);
    handlers.remove("off", name, handler);
    return listener;
  };
  listener.handle = handle;
  Object.defineProperty(listener, "limits", { value: limits, enumerable: true });
  return listener;
}

function resolveDedup(options: DedupOptions, handlerTimeoutMs: number): Required<DedupOptions> {
  const ttl = { min: 1, max: YEAR_MS };
  const processingTtlMs = wholeNumberOption("dedup.processingTtlMs", options.processingTtlMs, DEFAULT_PROCESSING_TTL_MS, ttl);
  // A claim that expired while its handlers still run would let a redelivery start a second run beside them.
  if (processingTtlMs <= handlerTimeoutMs) {
    throw new RangeError(`dedup.processingTtlMs (${processingTtlMs}) must be longer than handlerTimeoutMs (${handlerTimeoutMs})`);
  }
  return {
    store: options.store ?? new MemoryDedupStore(),
    ttlMs: wholeNumberOption("dedup.ttlMs", options.ttlMs, DEFAULT_DEDUP_TTL_MS, ttl),
    processingTtlMs,
    waitMs: wholeNumberOption("dedup.waitMs", options.waitMs, DEFAULT_DUPLICATE_WAIT_MS, { min: 0, max: MAX_TIMER_MS }),
  };
}

/** What a listener made without `secret` warns. */
const NO_SECRET =
  "this listener has no secret, and CI callbacks carry no signature: it accepts a forged callback from anyone who " +
  "can reach its URL. Set `secret` (a token in the callback URL; README, Authenticity), or `secret: false` when " +
  "another layer authenticates the sender.";

/** What a listener with an inbox says to `on`, `handler`, `handlerTimeoutMs` and `dedup`. */
const INBOX_RUNS_NO_HANDLER =
  "a listener with an inbox runs no handler: register handlers on the worker (createCallbackWorker), which " +
  "has its own handlerTimeoutMs; the inbox drops duplicates by key";

/**
 * The header of an answer given before the whole body was read (405, 401, 408, 413): Node then closes the
 * connection once the answer is sent, rather than read and discard the rest of the body for as long as it comes.
 */
const CLOSE: Readonly<Record<string, string>> = { connection: "close" };

/** Seconds a sender is asked to wait when the inbox is unavailable. */
const INBOX_RETRY_AFTER_S = 5;

/** Refuses the options of inline handling on a listener with an inbox, rather than ignore them. */
function refuseInlineOptions(options: CallbackListenerOptions): void {
  const given = (["handler", "handlerTimeoutMs", "dedup"] as const).filter((name) => options[name] !== undefined);
  if (given.length > 0) throw new TypeError(`${given.join(", ")}: ${INBOX_RUNS_NO_HANDLER}`);
}

/** The event names a request was dispatched under, once its body was read: the metrics' `ci_callback.event`. */
interface Seen {
  names: readonly string[] | undefined;
}

/** Hands a 4xx answer to `onRefused`. */
function tellRefused(onRefused: (refused: RefusedRequest) => void, reply: ListenerAnswer): void {
  const { error } = JSON.parse(reply.body) as { error: { kind: string; message: string } };
  onRefused({ status: reply.status, kind: error.kind, message: error.message });
}

/** What each failing stage did to the delivery, for the default `onError`'s line. */
const STAGE_OUTCOME: Record<ListenerErrorContext["stage"], string> = {
  handler: "the handlers failed, answered 500",
  dedup: "the dedup store failed",
  body: "the body could not be read, answered 500",
  inbox: "the inbox did not store the callback, answered 503",
  internal: "the listener failed, answered 500",
  config: "",
};

/**
 * The default `onError`: one line per failure naming the event (the stack at `debug`). Only a handler's failure
 * is each event's own; the others (a failing store or inbox, a body parser that ate the raw body, a bug) fail
 * every delivery alike, so the same one is written at most once a minute, with the count held back.
 */
function reportToLogger(logger: CallbackLogger): (error: unknown, context: ListenerErrorContext) => void {
  const gate = new RepeatGate(60_000);
  return (error, context) => {
    if (context.stage === "config") {
      logger.warn(`ci-callback listener: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    let what = STAGE_OUTCOME[context.stage];
    if (context.stage !== "handler") {
      const heldBack = gate.pass(`${context.stage} ${describeError(error)}`);
      if (heldBack === undefined) return;
      if (heldBack > 0) what += ` (${heldBack} more like it since the last such line)`;
    }
    logFailure(logger, "error", "listener", what, error, { event: context.event, key: context.key });
  };
}
