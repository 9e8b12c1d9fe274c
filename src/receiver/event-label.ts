/**
 * What names an event for people, beside its dedup key (a digest): its EventName, a job's Tag, and the id CI
 * gave it (a JobId, a workflow's RunId, a Simple moderation body's trace_id). Logs and `ci-callback inbox
 * failed` print it; nothing decides on it. Read structurally, so that every callback type fits.
 */

/** The fields that name an event. Each is as CI sent it, cut at 128 characters: escape before printing. */
export interface EventLabel {
  /** The EventName, or a Simple body's `data.event`; absent when the body names none. */
  name?: string;
  /** The first job's Tag (TaskFinish). */
  tag?: string;
  /** The first job's JobId, the workflow's RunId, or a Simple body's trace_id. */
  id?: string;
}

/** The nodes of a callback that {@link labelEvent} reads: any parsed callback has this shape. */
export interface LabelledNodes {
  EventName?: unknown;
  JobsDetail?: unknown;
  WorkflowExecution?: unknown;
  data?: unknown;
}

/** The label of a validated callback (see {@link EventLabel}). */
export function labelEvent(callback: LabelledNodes): EventLabel {
  const label: EventLabel = {};
  const data = record(callback.data);
  const name = text(callback.EventName) ?? text(data?.event);
  if (name !== undefined) label.name = name;
  const jobs = callback.JobsDetail;
  const job = record(Array.isArray(jobs) ? jobs[0] : jobs);
  const tag = text(job?.Tag);
  if (tag !== undefined) label.tag = tag;
  const runs = callback.WorkflowExecution;
  const run = record(Array.isArray(runs) ? runs[0] : runs);
  const id = text(job?.JobId) ?? text(run?.RunId) ?? text(data?.trace_id);
  if (id !== undefined) label.id = id;
  return label;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Longest field kept: CI's ids are about 35 characters; a longer one names the event as well cut. */
const MAX_FIELD_LENGTH = 128;

function text(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return value.length <= MAX_FIELD_LENGTH ? value : `${value.slice(0, MAX_FIELD_LENGTH)}…`;
}
