/**
 * What a callback is called and how its deliveries are told apart: the event names handlers subscribe to,
 * the dedup key, and whether it is the console's test request. Every callback type passes through
 * {@link identifyEvent}; a new event family adds its identifying nodes here and nowhere else.
 */
import type {
  AnyCallback,
  Job,
  ModerationDetailCallback,
  ModerationSimpleCallback,
  ModerationSimpleData,
  TaskFinishCallback,
} from "../../generated/types";
import {
  knownCiCallbackEventNames,
  knownJobTags,
  knownModerationDetailCallbackEventNames,
  knownModerationSimpleDataEvents,
  type KnownCiCallback,
  type KnownJob,
} from "../../generated/unions";
import { nodeCrypto } from "./node-crypto";

/** Whatever the parser returns: every callback type a listener can receive, events newer than the package included. */
export type ReceivedCallback = AnyCallback;

/** A moderation event's Simple body: the Simple callback whose data is that event's. */
export type SimpleOf<E extends string> = [Extract<ModerationSimpleData, { event?: E }>] extends [never]
  ? never
  : Omit<ModerationSimpleCallback, "data"> & { data: Extract<ModerationSimpleData, { event?: E }> };

/**
 * The callback type of each event name, read off the generated unions: `CallbackEventMap["WorkflowFinish"]` is
 * `WorkflowFinishCallback`; a moderation event is its Detail body or its Simple one
 * (`ReviewImageDetailCallback | SimpleOf<"ReviewImage">`): narrow with `callback.EventName !== undefined`.
 */
export type CallbackEventMap = { [C in KnownCiCallback as C["EventName"]]: C } & {
  [C in ModerationDetailCallback as C["EventName"]]: C | SimpleOf<C["EventName"]>;
};

/** An event name that has a callback type of its own: an EventName, or a moderation event of the Simple version. */
export type EventBase = keyof CallbackEventMap & string;

/** The name whose handlers see every callback, known or not: {@link ALL_EVENTS}. */
export type AllEvents = "*";

/** The name whose handlers see every callback, known or not (an event newer than the package included). */
export const ALL_EVENTS: AllEvents = "*";

/**
 * A name to subscribe to: an EventName, `TaskFinish:<Tag>` for one job type the schema knows
 * (`TaskFinish:VideoEnhance`), so that an editor offers every one and a misspelt one does not compile, or `*`
 * for every callback. A Tag newer than this package is handled under `TaskFinish`
 * (docs/decisions/0005-handler-names.md), an event newer than it under `*` (docs/decisions/0012-unknown-events.md).
 */
export type CallbackEventName = EventBase | `TaskFinish:${KnownJob["Tag"]}` | AllEvents;

/**
 * The callback a handler of event `N` receives; for `TaskFinish:<Tag>` the first job is of that Tag; for `*`
 * any callback (set unknown events aside with `isKnownCallback`).
 */
export type CallbackOfEvent<N extends CallbackEventName> = N extends AllEvents
  ? ReceivedCallback
  : N extends EventBase
  ? CallbackEventMap[N]
  : N extends `TaskFinish:${infer T}`
    ? Omit<TaskFinishCallback, "JobsDetail"> & { JobsDetail: [Extract<KnownJob, { Tag: T }>, ...Job[]] }
    : never;

/**
 * Why no callback is dispatched under `name`, or undefined when it is a {@link CallbackEventName}: the
 * listener checks at `on()`, for names the compiler did not see.
 */
export function eventNameProblem(name: string): string | undefined {
  if (name === ALL_EVENTS) return undefined;
  const events = [...knownCiCallbackEventNames, ...knownModerationDetailCallbackEventNames];
  const notAnEvent =
    `not an event name; subscribe to ${events.join(", ")}, TaskFinish:<Tag>, or "*" for every callback ` +
    `(events newer than the package included)`;
  const colon = name.indexOf(":");
  if (colon < 0) return events.includes(name) ? undefined : notAnEvent;
  if (name.slice(0, colon) !== "TaskFinish") return notAnEvent;
  const tag = name.slice(colon + 1);
  if (knownJobTags.has(tag)) return undefined;
  return (
    `${JSON.stringify(tag)} is not a job Tag this package knows (knownJobTags); for a Tag newer than the ` +
    `package, subscribe to "TaskFinish" and check callback.JobsDetail[0].Tag`
  );
}

/** The names a callback is dispatched under and the key that tells its deliveries apart. */
export interface EventIdentity {
  /**
   * Most general first: `["TaskFinish", "TaskFinish:VideoEnhance"]`, `["ReviewImage"]`. Empty for a Simple body
   * that names no event (only the `handler` option sees it) and for the console's test request. A name taken
   * from the body that this package does not know is kept only when it is a plain name (a letter, then letters,
   * digits, `_` or `-`) of at most 64 characters, so that no name is longer than 75 characters
   * (`TaskFinish:<Tag>`), whatever the body.
   */
  names: readonly string[];
  /**
   * A known event name (`Unknown` for an EventName this package does not know, `Simple` for a Simple body
   * naming no known event), `:` and a digest (SHA-256, base64url) of an unambiguous encoding of the nodes that
   * identify the delivery: the same for every delivery of one callback, at most 64
   * characters however long the ids and names in the body, and never the same for two callbacks. Undefined when
   * the callback carries no id, so that nothing is wrongly dropped as a duplicate. The README lists the nodes of
   * each family.
   */
  key: string | undefined;
  /** The console's test request, sent when a callback URL is saved: acknowledge it, hand it to no handler. */
  test: boolean;
}

/**
 * The longest dedup key, in characters: a known event name (at most 14 today) or `Unknown`, `:` and a
 * 43-character digest. Nothing of the body reaches a key unhashed but a name this package knows.
 */
export const MAX_KEY_LENGTH = 64;

/** The longest name taken from the body (an EventName, a Tag, a Simple body's event) that `names` keeps. */
export const MAX_NAME_PART_LENGTH = 64;

/** The longest entry of {@link EventIdentity.names}: `TaskFinish:` and a Tag of {@link MAX_NAME_PART_LENGTH}. */
export const MAX_NAME_LENGTH = "TaskFinish:".length + MAX_NAME_PART_LENGTH;

/** What the console's test request says in `message` (its data names no event). */
export const CONSOLE_TEST_MESSAGE = "Test request when setting callback url";

/** Moderation states after which a job sends no more callbacks; any other (a live stream's Auditing) may repeat. */
const FINAL_STATES = new Set(["Success", "Failed"]);

/** The nodes that identify an event, read structurally so that every callback type fits. */
export interface IdentifyingNodes {
  EventName?: string;
  /** A list of jobs (TaskFinish), or one moderation job (Detail). */
  JobsDetail?: readonly { JobId?: string; Tag?: string }[] | { JobId?: string; State?: string };
  /** Workflow events (`WorkflowFinish`) carry the run here instead of JobsDetail. */
  WorkflowExecution?: { RunId?: string } | readonly { RunId?: string }[];
  /** Simple moderation bodies. */
  message?: string;
  data?: { event?: string; trace_id?: string };
}

/**
 * Names, dedup key and test flag of a validated callback. A job's Tag name comes from the first job, as the
 * handler types say; every callback seen carries exactly one.
 */
export function identifyEvent(callback: IdentifyingNodes): EventIdentity {
  const event = callback.EventName;
  if (event === undefined && callback.data !== undefined) return identifySimple(callback.data, callback.message);
  const name = event ?? "";
  // The key's prefix is a name this package knows; the name itself, whatever it is, is inside the digest.
  const prefix = knownEventNames.has(name) ? name : "Unknown";
  const names = isNamePart(name) ? [name] : [];
  const jobs = callback.JobsDetail;
  if (jobs !== undefined && !isList(jobs)) {
    // A moderation job: one callback per job, except while a live stream is audited (new frames each time).
    if (jobs.JobId === undefined) return { names, key: undefined, test: false };
    const state = jobs.State ?? "";
    const ids = FINAL_STATES.has(state) ? [name, jobs.JobId, state] : [name, jobs.JobId, state, JSON.stringify(jobs)];
    return { names, key: `${prefix}:${digest(ids)}`, test: false };
  }
  const list = jobs ?? [];
  const runs = callback.WorkflowExecution === undefined ? [] : ([] as { RunId?: string }[]).concat(callback.WorkflowExecution);
  const tag = list[0]?.Tag;
  const ids = [...list.map((job) => job.JobId), ...runs.map((run) => run.RunId)].filter((id): id is string => id !== undefined);
  return {
    names: tag !== undefined && names.length > 0 && isNamePart(tag) ? [name, `${name}:${tag}`] : names,
    key: ids.length > 0 ? `${prefix}:${digest([name, ...ids])}` : undefined,
    test: false,
  };
}

/**
 * A Simple body carries no state, and a live stream sends several per job: its key covers the whole data,
 * so each distinct callback is handled once and a redelivery of the same one is dropped.
 */
function identifySimple(data: { event?: string; trace_id?: string }, message: string | undefined): EventIdentity {
  if (message === CONSOLE_TEST_MESSAGE) return { names: [], key: undefined, test: true };
  const { event } = data;
  const names = event !== undefined && isNamePart(event) ? [event] : [];
  // `event` is free text in a body the schema does not name: it reaches the key through the digest only.
  const prefix = event !== undefined && knownModerationSimpleDataEvents.has(event) ? event : "Simple";
  const key = data.trace_id === undefined ? undefined : `${prefix}:${digest(["Simple", data.trace_id, JSON.stringify(data)])}`;
  return { names, key, test: false };
}

/** Every EventName the schema knows: a key's prefix is one of these. */
const knownEventNames: ReadonlySet<string> = new Set([...knownCiCallbackEventNames, ...knownModerationDetailCallbackEventNames]);

/** A name from the body that `names` may carry: plain and short, whatever the body sent. */
function isNamePart(name: string): boolean {
  return name.length <= MAX_NAME_PART_LENGTH && /^[A-Za-z][A-Za-z0-9_-]*$/.test(name);
}

function isList<T>(value: readonly T[] | object): value is readonly T[] {
  return Array.isArray(value);
}

/**
 * SHA-256, base64url, of the ids as a JSON array: an encoding with one reading only, so the job `a:b` and the
 * two jobs `a` and `b` differ, and a key's size does not grow with the body.
 */
function digest(ids: readonly string[]): string {
  return sha256(JSON.stringify(ids));
}

/**
 * SHA-256, base64url: the one-shot `crypto.hash` (Node 20.12+) where there is one, a third of a Hash object's
 * cost. Chosen on first use, when node:crypto is loaded.
 */
let sha256 = (text: string): string => {
  const crypto = nodeCrypto();
  const oneShotHash = crypto.hash as typeof crypto.hash | undefined;
  sha256 =
    oneShotHash !== undefined
      ? (input) => oneShotHash("sha256", input, "base64url")
      : (input) => crypto.createHash("sha256").update(input).digest("base64url");
  return sha256(text);
};
