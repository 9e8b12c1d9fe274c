/**
 * One attempt at a stored callback, wherever the worker took it from: a BullMQ job, or an entry of the
 * ingest stream taken straight to the handlers (src/inbox/ingest-consumer.ts). The canonical object the
 * listener validated is trusted unless the worker has parse options of its own; the handlers registered for
 * the event's names run within `handlerTimeoutMs`; what fails is reported once, here, and thrown on.
 */
import { readMaxBytes, readMaxDepth, safeParseCallback, type CallbackResult } from "../canonical/callback";
import { HandlerTimeoutError, LazyAbortController, type CallbackContext, type HandlerRegistry } from "../receiver/dispatch";
import { eventAttribute, type CallbackMetrics } from "../receiver/metrics";
import { storedBody, type StoredCallback } from "./stored-callback";
import type { WorkerErrorContext } from "./worker-options";

/** What an attempt needs of its worker. */
export interface AttemptSettings {
  registry: HandlerRegistry;
  handlerTimeoutMs: number;
  /** The worker's parse options; with any of them set, each body is parsed again under them. */
  parse: { strict?: boolean; maxDepth?: number; maxBytes?: number };
  metrics: CallbackMetrics | undefined;
  report(error: unknown, context: WorkerErrorContext): void;
}

/** Where the attempt's callback came from, for the report of a failure. */
export interface AttemptOrigin {
  /** The job's id, or the id the callback's job would have. */
  jobId: string | undefined;
  /** Which attempt this is, from 1. */
  attempt: number;
}

/** Runs attempts under one worker's settings. */
export interface Attempts {
  /**
   * The canonical object of a stored callback: the one stored with it, or parsed again from its body (under
   * the worker's own parse options, or for a callback stored without one). Not an attempt: nothing is reported.
   */
  callbackOf(stored: StoredCallback): CallbackResult;
  /** Runs the handlers once; reports and throws what failed (a handler's error, or its timeout). */
  run(stored: StoredCallback, callback: CallbackResult & { ok: true }, origin: AttemptOrigin): Promise<void>;
}

/** The attempts of a worker with `settings`. */
export function createAttempts(settings: AttemptSettings): Attempts {
  const { registry, handlerTimeoutMs, metrics, report } = settings;
  const parseOptions = { strict: settings.parse.strict, maxDepth: readMaxDepth(settings.parse), maxBytes: readMaxBytes(settings.parse) };
  // The listener validated each body before it was stored: with no parse options of its own, the worker trusts it.
  const reparse = settings.parse.strict !== undefined || settings.parse.maxDepth !== undefined || settings.parse.maxBytes !== undefined;

  return {
    callbackOf(stored) {
      if (!reparse && stored.callback !== undefined) return { ok: true, value: stored.callback };
      // The text is parsed as it is (bytes would be decoded back to it).
      const text = stored.bodyEncoding === "base64" ? storedBody(stored) : stored.body;
      return safeParseCallback(text, { ...parseOptions, contentVersion: stored.contentVersion });
    },

    async run(stored, callback, origin) {
      const { key, event, contentType, contentVersion } = stored;
      let rawBody: Uint8Array | string | undefined;
      const controller = new LazyAbortController();
      // The names and key the listener found for this body (identifyEvent): the same body gives the same ones.
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
        await registry.run(callback.value, context, controller, handlerTimeoutMs);
      } catch (error) {
        if (metrics !== undefined) {
          const outcome = error instanceof HandlerTimeoutError ? "timeout" : "error";
          metrics.handler(eventAttribute(stored.names), outcome, (performance.now() - startedAt) / 1000);
          metrics.attempt(outcome);
        }
        report(error, { stage: "handler", key, event, jobId: origin.jobId, attempt: origin.attempt });
        // BullMQ keeps an Error's message as the job's failedReason.
        throw error instanceof Error ? error : new Error(`a handler threw ${String(error)}`);
      }
      if (metrics !== undefined) {
        metrics.handler(eventAttribute(stored.names), "success", (performance.now() - startedAt) / 1000);
        metrics.attempt("success");
      }
    },
  };
}
