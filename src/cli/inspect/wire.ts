/**
 * What the inspector's server sends its page, as JSON: the one description of the shapes both sides use
 * (the page's script is compiled with these types, in its own tsconfig). Types only: neither side loads it.
 */

/** One request the listener answered, as the page's list shows it. Strings are cut short (see `summarize`). */
export interface CallbackSummary {
  /** Increases by one per request, from 1; the event stream's `id`. */
  id: number;
  /** When the request arrived, ISO 8601. */
  time: string;
  /** The HTTP method and path (query included) the sender used; a `token` parameter shows as `***`. */
  method: string;
  path: string;
  /** The listener's answer. */
  status: number;
  /** True when the body is a valid callback (whatever the handler or forward did with it). */
  valid: boolean;
  /** `valid`, or why not: the error kind of the answer (`validation`, `parse`, `limit`, `method`, …). */
  outcome: string;
  /** EventName (`Simple` for a Simple moderation body), when the body reads far enough to have one. */
  event: string | null;
  /** The jobs' Tags. */
  tags: string[];
  /** JobIds, the workflow's RunId, a Simple body's trace_id. */
  ids: string[];
  /** The jobs' or the workflow run's State. */
  states: string[];
  /** What the body looks like: its first non-blank character tells. */
  format: "xml" | "json" | "other" | "none";
  /** Size of the body, in bytes, after any Content-Encoding is undone. */
  bytes: number;
}

/** One problem of a refused body, with its JSON Pointer path into `tree`. */
export interface IssueView {
  path: string;
  message: string;
}

/** Everything the detail pane shows about one request. */
export interface CallbackDetail {
  summary: CallbackSummary;
  /** The body as UTF-8 text; null when none was read (refused before reading: method, size). */
  body: string | null;
  /** The canonical object of a valid body, or the normalised value a refused body's issue paths point into. */
  tree: unknown;
  /** True when `tree` is the canonical object; false for a refused body's normalised value, or none. */
  canonical: boolean;
  /** The issues the listener's answer listed (at most 100). */
  issues: IssueView[];
  /** The JSON the listener answered. */
  answer: string;
}

/** What a replay got back. */
export interface ReplayOutcome {
  /** Where the body was sent, a secret in the URL shown as `***`. */
  target: string;
  /** The answer's status, or null when none came (then `error` says why). */
  status: number | null;
  /** The answer's body, cut to its first 64 KiB. */
  body: string;
  error: string | null;
}

/** The event stream's first event (`event: hello`): what the page needs to know of the server. */
export interface Hello {
  /** Most requests kept: the page drops older rows past it too. */
  kept: number;
}
