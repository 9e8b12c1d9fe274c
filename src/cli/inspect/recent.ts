/**
 * The requests the inspector keeps: the last {@link KEPT_CALLBACKS}, in arrival order, each with what its
 * detail pane needs, and the pages watching for new ones. Memory is bounded by the count times the listener's
 * body limit (1 MiB by default): at most about 500 MiB when every body is as large as allowed, a few MB for
 * callbacks of usual size.
 */
import type { CallbackDetail, CallbackSummary } from "./wire";

/** Most requests the inspector keeps (the README says so); older ones are dropped, here and in the page. */
export const KEPT_CALLBACKS = 500;

/** One kept request: the summary the list shows, the raw body and the rest of the detail. */
export interface KeptCallback {
  summary: CallbackSummary;
  /** The path (and query) the request was sent to, whole. */
  path: string;
  /** The body as received (Content-Encoding undone); undefined when it was not read. */
  body: Uint8Array | undefined;
  /** Headers a replay sends again. */
  contentType: string | undefined;
  contentVersion: string | undefined;
  detail(): Omit<CallbackDetail, "summary" | "body">;
}

/** A watcher: called with each new summary. */
export type Watcher = (summary: CallbackSummary) => void;

/** The last {@link KEPT_CALLBACKS} requests, by id. */
export class RecentCallbacks {
  private readonly kept = new Map<number, KeptCallback>();
  private readonly watchers = new Set<Watcher>();
  private lastId = 0;

  constructor(private readonly limit = KEPT_CALLBACKS) {}

  /** Keeps a request (dropping the oldest past the limit) and tells the watchers; returns its id. */
  add(make: (id: number) => KeptCallback): number {
    const id = ++this.lastId;
    this.kept.set(id, make(id));
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.kept.size > this.limit) this.kept.delete(this.kept.keys().next().value as number);
    const { summary } = this.kept.get(id) as KeptCallback;
    for (const watcher of this.watchers) watcher(summary);
    return id;
  }

  /** The id of the last request kept, 0 before the first. */
  get last(): number {
    return this.lastId;
  }

  /** The request numbered `id`, while it is kept. */
  get(id: number): KeptCallback | undefined {
    return this.kept.get(id);
  }

  /** The summaries kept, oldest first, of ids after `after`. */
  since(after: number): CallbackSummary[] {
    const summaries: CallbackSummary[] = [];
    for (const [id, kept] of this.kept) if (id > after) summaries.push(kept.summary);
    return summaries;
  }

  /** Calls `watcher` with each new summary until the returned function is called. */
  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }
}
