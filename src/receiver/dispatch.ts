/**
 * Handing a callback to the user's handlers: the registry behind `on`/`off` and the run under a timeout. The
 * listener (handlers inline) and the inbox worker (handlers after the queue) share it, so that a handler is
 * registered, typed, ordered and timed out the same way in both.
 */
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
   * {@link HandlerTimeoutError}.
   */
  run(callback: ReceivedCallback, context: CallbackContext, controller: AbortController, timeoutMs: number): Promise<void>;
}

/** A new, empty {@link HandlerRegistry}; `first` runs before every registered handler. */
export function createHandlerRegistry(first: CallbackHandler | undefined): HandlerRegistry {
  const handlers = new Map<string, CallbackHandler[]>();

  async function runAll(callback: ReceivedCallback, context: CallbackContext): Promise<void> {
    if (first !== undefined) await first(callback, context);
    for (const name of context.names) {
      for (const handler of [...(handlers.get(name) ?? [])]) await handler(callback, context);
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
    async run(callback, context, controller, timeoutMs) {
      let timeout: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => {
          const error = new HandlerTimeoutError(timeoutMs);
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      try {
        await Promise.race([runAll(callback, context), deadline]);
      } finally {
        clearTimeout(timeout);
      }
    },
  };
}

/** Refuses, at `on()` rather than never firing, a name no callback is dispatched under. */
function checkEventName(method: string, name: string): void {
  const problem = eventNameProblem(name);
  if (problem !== undefined) throw new RangeError(`${method}(${JSON.stringify(name)}): ${problem}`);
}
