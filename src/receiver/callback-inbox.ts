/**
 * Where a listener puts a valid callback before it acknowledges it, for a worker to handle later: the
 * interface the listener's `inbox` option takes, so that another queue can be plugged in as a
 * `DedupStore` can. The one shipped, on BullMQ, is `createCallbackInbox` of `ci-callback/inbox`. Nothing here
 * loads or names BullMQ: a listener with its own queue needs neither bullmq nor ioredis.
 */
import type { EventLabel } from "./event-label";
import type { ReceivedCallback } from "./events";

/** A callback as the listener hands it to an inbox: what a worker needs to parse and dispatch it again. */
export interface InboxEntry {
  /** The dedup key ({@link EventIdentity.key}); undefined when the callback carries no id. */
  key: string | undefined;
  /** The event names it is dispatched under, most general first. */
  names: readonly string[];
  /** The body as received (its Content-Encoding undone), kept byte for byte. */
  rawBody: Uint8Array | string;
  /** The request's Content-Type, if any. */
  contentType: string | undefined;
  /** The request's `X-Ci-Content-Version`, if any: the worker parses with it as the listener did. */
  contentVersion: string | undefined;
  /** What names the event for people (EventName, Tag, JobId/RunId/trace_id), for `inbox failed` and logs. */
  event?: InboxEvent;
  /**
   * The canonical object the listener validated the body into: a worker without parse options of its own
   * hands it to the handlers instead of parsing the body again.
   */
  callback?: ReceivedCallback;
}

/** The fields that name an event beside its key: EventName, Tag, and JobId, RunId or trace_id. */
export type InboxEvent = EventLabel;

/**
 * A durable queue of received callbacks. The listener answers 200 once {@link CallbackInbox.add} resolves and
 * 503 (deliver again later) when it rejects, so an implementation must guarantee two things. Durable before it
 * resolves: `add` resolves only once the entry is stored where a worker on another machine will find it, even
 * if this process dies the next moment; when it cannot store the entry within a bounded time (the store is
 * down or slow) it rejects, and never hangs. Idempotent by key: adding an entry whose `key` was added before
 * (still queued, being handled, handled and remembered, or failed) stores nothing new and resolves, so
 * redeliveries of one event and receivers behind a load balancer give one job; an entry without a key is
 * always stored.
 */
export interface CallbackInbox {
  /** Stores the entry (see the guarantees above); rejects when it cannot. */
  add(entry: InboxEntry): Promise<void>;
}
