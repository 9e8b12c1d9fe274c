/**
 * What a callback is called and how its deliveries are told apart: the event names handlers subscribe to
 * and the dedup key. Every callback type passes through {@link identifyEvent}; a new event type adds its
 * identifying nodes here and nowhere else.
 */
import { createHash } from "node:crypto";
import type { CiCallback, Job, TaskFinishCallback } from "../../generated/types";
import type { parseCallback } from "../callback";

/** Whatever the parser returns: every callback type a listener can receive. */
export type ReceivedCallback = ReturnType<typeof parseCallback>;

/**
 * The callback type of each event name, read off the generated union: `CallbackEventMap["WorkflowFinish"]`
 * is `WorkflowFinishCallback`. A new event in the schema is a new entry here with no code.
 */
export type CallbackEventMap = { [C in CiCallback as C["EventName"]]: C };

type EventBase = keyof CallbackEventMap & string;

/** A name to subscribe to: an EventName, or `TaskFinish:<Tag>` for one job type (`TaskFinish:VideoEnhance`). */
export type CallbackEventName = EventBase | `TaskFinish:${string}`;

/** The job of a Tag: `TranscodeJob` for `Transcode`; any job for a Tag the schema does not know. */
type JobOfTag<T extends string> = [Extract<Job, { Tag: T }>] extends [never] ? Job : Extract<Job, { Tag: T }>;

/** The callback a handler of event `N` receives; for `TaskFinish:<Tag>` the first job is of that Tag. */
export type CallbackOfEvent<N extends CallbackEventName> = N extends EventBase
  ? CallbackEventMap[N]
  : N extends `TaskFinish:${infer T}`
    ? Omit<TaskFinishCallback, "JobsDetail"> & { JobsDetail: [JobOfTag<T>, ...Job[]] }
    : never;

/** The names a callback is dispatched under and the key that tells its deliveries apart. */
export interface EventIdentity {
  /** Most general first: `["TaskFinish", "TaskFinish:VideoEnhance"]`. */
  names: readonly string[];
  /**
   * `EventName:<digest>`, the digest over the EventName and every JobId of JobsDetail (or, for workflows, the
   * RunId): the same for every delivery of one event, 55 characters or fewer however long the ids, and never
   * the same for two events. Undefined when the callback carries no id, so that nothing is wrongly dropped as a
   * duplicate.
   */
  key: string | undefined;
}

/** The nodes that identify an event, read structurally so that every callback type fits. */
interface IdentifyingNodes {
  EventName: string;
  JobsDetail?: readonly { JobId?: string; Tag?: string }[];
  /** Workflow events (`WorkflowFinish`) carry the run here instead of JobsDetail. */
  WorkflowExecution?: { RunId?: string } | readonly { RunId?: string }[];
}

/**
 * Names and dedup key of a validated callback. The Tag name comes from the first job, as the handler types
 * say; every callback seen carries exactly one.
 */
export function identifyEvent(callback: IdentifyingNodes): EventIdentity {
  const event = callback.EventName;
  const jobs = callback.JobsDetail ?? [];
  const runs = callback.WorkflowExecution === undefined ? [] : ([] as { RunId?: string }[]).concat(callback.WorkflowExecution);
  const tag = jobs[0]?.Tag;
  const ids = [...jobs.map((job) => job.JobId), ...runs.map((run) => run.RunId)].filter((id): id is string => id !== undefined);
  return {
    names: tag === undefined ? [event] : [event, `${event}:${tag}`],
    key: ids.length > 0 ? `${event}:${digest([event, ...ids])}` : undefined,
  };
}

/**
 * SHA-256, base64url, of the ids as a JSON array: an encoding with one reading only, so the job `a:b` and the
 * two jobs `a` and `b` differ, and a key's size does not grow with the body.
 */
function digest(ids: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(ids)).digest("base64url");
}
