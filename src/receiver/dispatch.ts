/**
 * Handing a callback to the user's handlers: the registry behind `on`/`off` and the run under a timeout. The
 * listener (handlers inline) and the inbox worker (handlers after the queue) share it, so that a handler is
 * registered, typed, ordered and timed out the same way in both.
 */
import { MAX_TIMER_MS, wholeNumberOption } from "../read/limits";
import { eventNameProblem, type CallbackEventName, type ReceivedCallback } from "./events";

/** What a handler learns besides the callback itself. */
export interface CallbackContext {
  /** The dedup key (`TaskFinish:<digest>`), undefined when the callback carries no id. */
  key: string | undefined;
  /** The event names the callback is dispatched under: `["TaskFinish", "TaskFinish:VideoEnhance"]`. */
  names: readonly string[];
  /** The body as received (with its Content-Encoding undone), to store or forward. */
  rawBody: Uint8Array | string;
  /** The request's Content-Type, if any (CI's is not documented). */
  contentType: string | undefined;
  /** The request's `X-Ci-Content-Version` (`Simple` or `Detail`; moderation callbacks send it), if any. */
  contentVersion: string | undefined;
  /**
   * Aborted when the handlers run past `handlerTimeoutMs` (the delivery is answered 500, or the job's attempt
   * fails): a handler that can stop (pass it to fetch, a database query) should, since a redelivery or the
   * next attempt may be handled beside it.
   */
  signal: AbortSignal;
}

/**
 * A user's handler; the delivery (or the job) waits for the promise it returns, up to `handlerTimeoutMs`.
 * Throwing, rejecting or running past the timeout fails it: answered 500 by the listener, retried by the worker.
 */
export type CallbackHandler<C = ReceivedCallback> = (callback: C, context: CallbackContext) => unknown;

/** The error `onError` gets when a delivery's (or a job's) handlers run past `handlerTimeoutMs`. */
export class HandlerTimeoutError extends Error {
  override readonly name = "HandlerTimeoutError";

  constructor(
    /** The timeout that passed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`the handlers did not finish within ${timeoutMs} ms`);
  }
}

/** Handlers by event name, and the run of those a callback is dispatched to. */
export interface HandlerRegistry {
  /** Adds a handler; a RangeError for a name no callback is dispatched under (`method` names the caller). */
  add(method: string, name: CallbackEventName, handler: CallbackHandler<never>): void;
  /** Removes a handler added with `add`. */
  remove(method: string, name: CallbackEventName, handler: CallbackHandler<never>): void;
  /**
   * Runs `first` (the `handler` option), then the handlers of each of `context.names`, most general first, one
   * after the other, within `timeoutMs`: past it `controller` is aborted and the run rejects with a
   * {@link HandlerTimeoutError}. Handlers that all return synchronously cannot be overtaken by the timer, so
   * only a run that waits on a handler's promise sets one.
   */
  run(callback: ReceivedCallback, context: CallbackContext, controller: Pick<AbortController, "abort">, timeoutMs: number): Promise<void>;
}

/** Whether a handler's result is something to wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** A new, empty {@link HandlerRegistry}; `first` runs before every registered handler. */
export function createHandlerRegistry(first: CallbackHandler | undefined): HandlerRegistry {
  const handlers = new Map<string, CallbackHandler[]>();

  /** Runs the handlers in order; sets `progress.waiting` before it first waits on one. */
  async function runAll(callback: ReceivedCallback, context: CallbackContext, progress: { waiting: boolean }): Promise<void> {
    const call = (handler: CallbackHandler): unknown => {
      const result = handler(callback, context);
      if (isThenable(result)) progress.waiting = true;
      return result;
    };
    if (first !== undefined) {
      const result = call(first);
      if (progress.waiting) await result;
    }
    for (const name of context.names) {
      for (const handler of [...(handlers.get(name) ?? [])]) {
        const result = call(handler);
        if (progress.waiting) await result;
      }
    }
  }

  return {
    add(method, name, handler) {
      checkEventName(method, name);
      handlers.set(name, [...(handlers.get(name) ?? []), handler as CallbackHandler]);
    },
    remove(method, name, handler) {
      checkEventName(method, name);
      handlers.set(name, (handlers.get(name) ?? []).filter((h) => h !== handler));
    },
    run(callback, context, controller, timeoutMs) {
      const startedAt = Date.now();
      const progress = { waiting: false };
      const running = runAll(callback, context, progress);
      if (!progress.waiting) return running;
      // The time the handlers took before they first waited counts against the timeout too.
      const remainingMs = Math.max(0, timeoutMs - (Date.now() - startedAt));
      return new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => {
          const error = new HandlerTimeoutError(timeoutMs);
          controller.abort(error);
          reject(error);
        }, remainingMs);
        running.then(
          () => {
            clearTimeout(timeout);
            resolve();
          },
          (error: unknown) => {
            clearTimeout(timeout);
            reject(error);
          },
        );
      });
    },
  };
}

/** Refuses, at `on()` rather than never firing, a name no callback is dispatched under. */
function checkEventName(method: string, name: string): void {
  const problem = eventNameProblem(name);
  if (problem !== undefined) throw new RangeError(`${method}(${JSON.stringify(name)}): ${problem}`);
}

/**
 * The abort side of a delivery's `context.signal`, making the AbortController only when a handler reads the
 * signal: most never do, and making one costs microseconds a request. Read after the abort, the signal is
 * aborted already, with the same reason.
 */
export class LazyAbortController {
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;

  /** The signal, made on first read. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal, now or when it is made. */
  abort(reason?: unknown): void {
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.abortedWith ??= { reason };
  }
}

/** How long handlers may run on one callback unless `handlerTimeoutMs` says otherwise, on a listener or a worker. */
const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

/** The `handlerTimeoutMs` option of a listener or a worker, checked. */
export function readHandlerTimeoutMs(options: { handlerTimeoutMs?: number }): number {
  return wholeNumberOption("handlerTimeoutMs", options.handlerTimeoutMs, DEFAULT_HANDLER_TIMEOUT_MS, { min: 1, max: MAX_TIMER_MS });
}
