/**
 * Everything the package says goes through one {@link CallbackLogger}, given to the listener, the inbox and the
 * worker as `logger`. A line is one line: who speaks, what happened, then the event it concerns
 * (`event=TaskFinish tag=VideoEnhance jobId=… key=…`). A stack trace is never part of it: it goes to `debug`.
 */
// Through getBuiltinModule, not an import: an ESM bundle of the package cannot require node:util.
const { debuglog } = process.getBuiltinModule("node:util");
import { printable, quoted } from "../read/printable";
import type { EventLabel } from "./event-label";

/**
 * Where the package's lines go. Each method takes one string (a whole line), so `console` and a pino logger
 * fit as they are. `debug` gets the stack traces of failures; `info` is told when a connection comes back.
 */
export interface CallbackLogger {
  /** A failure: a delivery answered 5xx, a job failed for good, a lost connection. */
  error(message: string): void;
  /** Something to look at that is not yet a failure: an attempt that will be retried, a risky option. */
  warn(message: string): void;
  /** A recovery: a connection back after errors. */
  info?(message: string): void;
  /** The stack traces of the failures above, each after its line. */
  debug?(message: string): void;
}

/** Node's `NODE_DEBUG=ci-callback` switch (debuglog reads it once, on first use). */
const debugLine = debuglog("ci-callback");

/**
 * The logger used when none is given: `console.error` and `console.warn`, `info` and the stacks at `debug`
 * only with `NODE_DEBUG=ci-callback` (on stderr, Node's `util.debuglog`).
 */
export const defaultLogger: CallbackLogger = {
  error: (message) => console.error(message),
  warn: (message) => console.warn(message),
  info: (message) => debugLine(message),
  debug: (message) => debugLine(message),
};

/** What a line names: the event (EventName, Tag, JobId/RunId/trace_id), its dedup key, the queue's job, the attempt. */
export interface LineFields {
  /** The event's name, Tag and id. */
  event?: EventLabel;
  /** The event's dedup key. */
  key?: string;
  /** The inbox job's id (derived from the key), when there is no key to name. */
  queueJob?: string;
  /** The attempt, as `2/5`. */
  attempt?: string;
}

/** Longest value a line quotes: an id from a body is the sender's to choose. */
const MAX_VALUE = 128;

/**
 * A field's value as a line shows it: quoted unless plain, cut past {@link MAX_VALUE}. Quoted as a JSON string
 * with every control character escaped, C1 and the line separators too (JSON.stringify leaves those raw).
 */
function fieldValue(value: string): string {
  const cut = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
  return /^[\w.:/@+=-]+$/.test(cut) ? cut : quoted(cut);
}

/** `event=TaskFinish tag=VideoEnhance id=j… key=… attempt=2/5`, the fields that are known, in that order. */
export function formatFields({ event = {}, key, queueJob, attempt }: LineFields): string {
  const fields = { event: event.name, tag: event.tag, id: event.id, key, queueJob, attempt };
  const parts: string[] = [];
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) parts.push(`${name}=${fieldValue(value)}`);
  return parts.join(" ");
}

/**
 * An error as one line: its name and message, line breaks folded, cut at 512 characters, every other control
 * character and line separator escaped ({@link printable}).
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `thrown: ${String(error)}`;
  const line = text.replace(/\s*[\r\n]+\s*/g, " ");
  return printable(line.length > 512 ? `${line.slice(0, 512)}…` : line);
}

/** `ci-callback <who>: <what>: <error> (<fields>)`, one line. */
export function failureLine(who: string, what: string, error: unknown, fields: LineFields = {}): string {
  const named = formatFields(fields);
  return `ci-callback ${who}: ${what}: ${describeError(error)}${named === "" ? "" : ` (${named})`}`;
}

/** Writes the {@link failureLine} at `level`, and the error's stack after it at `debug`, when the logger has one. */
export function logFailure(
  logger: CallbackLogger,
  level: "error" | "warn",
  who: string,
  what: string,
  error: unknown,
  fields: LineFields = {},
): void {
  const line = failureLine(who, what, error, fields);
  logger[level](line);
  if (logger.debug !== undefined && error instanceof Error && error.stack !== undefined) logger.debug(`${line}\n${error.stack}`);
}

/**
 * Lets the first of a kind of failure through and holds back the same kind for `windowMs`, counting it: an
 * outage is a few lines, not one per request or reconnection.
 */
export class RepeatGate {
  private readonly held = new Map<string, { until: number; count: number }>();

  constructor(private readonly windowMs: number) {}

  /**
   * Whether a failure of this kind is to be written now; if so, how many were held back since the last one
   * written (0 the first time). `undefined`: held back.
   */
  pass(kind: string, now = Date.now()): number | undefined {
    const entry = this.held.get(kind);
    if (entry !== undefined && now < entry.until) {
      entry.count++;
      return undefined;
    }
    this.held.set(kind, { until: now + this.windowMs, count: 0 });
    return entry?.count ?? 0;
  }

  /** Forgets every kind held (the connection is back): the next failure is written at once. Whether any was. */
  reset(): boolean {
    const any = this.held.size > 0;
    this.held.clear();
    return any;
  }
}

/** The default report of a connection's errors: see {@link connectionReporter}. */
export interface ConnectionReporter {
  /** An error of the connection: written at `error` unless the same one was written within the minute. */
  error(error: unknown): void;
  /** The connection is ready: after errors, one `info` line saying so. */
  ready(): void;
}

/**
 * Reports a connection (to Redis) for `who`: each distinct error once a minute at most, with the count held
 * back since, and one `info` line once it is back, so an outage is a few lines, not one per reconnection.
 */
export function connectionReporter(logger: CallbackLogger, who: string): ConnectionReporter {
  const gate = new RepeatGate(60_000);
  return {
    error(error) {
      const heldBack = gate.pass(describeError(error));
      if (heldBack === undefined) return;
      logFailure(logger, "error", who, heldBack > 0 ? `connection error (${heldBack} more like it since the last such line)` : "connection error", error);
    },
    ready() {
      if (gate.reset()) logger.info?.(`ci-callback ${who}: connection ready again`);
    },
  };
}
