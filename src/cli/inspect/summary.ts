/**
 * The list line of one callback: EventName, Tags, ids and States, read defensively from a canonical object or
 * from a refused body's normalised value (which may have any shape), each string and list cut short so that
 * a hostile body cannot make the list heavy.
 */
import { isRecord } from "../../canonical/normalize-runtime";
import type { CallbackSummary } from "./wire";

/** Longest string a summary keeps, and most values a list keeps. */
const MAX_TEXT = 120;
const MAX_VALUES = 8;

/** The fields of a summary that come from the body. */
export type BodyFields = Pick<CallbackSummary, "event" | "tags" | "ids" | "states">;

/** What a body's (possibly invalid) value says of its event, jobs and states. */
export function bodyFields(value: unknown): BodyFields {
  const fields: BodyFields = { event: null, tags: [], ids: [], states: [] };
  if (!isRecord(value)) return fields;
  if (value.EventName !== undefined) fields.event = text(value.EventName);
  else if (isRecord(value.data)) {
    fields.event = "Simple";
    add(fields.tags, value.data.event);
    add(fields.ids, value.data.trace_id);
  }
  // TaskFinish lists its jobs; a moderation callback has one JobsDetail object.
  const jobs = Array.isArray(value.JobsDetail) ? value.JobsDetail : [value.JobsDetail];
  for (const job of jobs.slice(0, MAX_VALUES)) {
    if (!isRecord(job)) continue;
    add(fields.tags, job.Tag);
    add(fields.ids, job.JobId);
    add(fields.states, job.State);
  }
  if (isRecord(value.WorkflowExecution)) {
    add(fields.ids, value.WorkflowExecution.RunId);
    add(fields.states, value.WorkflowExecution.State);
  }
  return fields;
}

/** Adds a value once, as short text; lists stop at {@link MAX_VALUES}. */
function add(list: string[], value: unknown): void {
  if (value === undefined || value === null || list.length === MAX_VALUES) return;
  const shown = text(value);
  if (!list.includes(shown)) list.push(shown);
}

function text(value: unknown): string {
  const whole = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return whole.length > MAX_TEXT ? `${whole.slice(0, MAX_TEXT)}…` : whole;
}

/** The format a body looks like, by its first non-blank character. */
export function formatOf(body: Uint8Array | undefined): CallbackSummary["format"] {
  if (body === undefined) return "none";
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  for (const byte of body.subarray(bom, 1024)) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    if (byte === 0x3c) return "xml";
    return byte === 0x7b || byte === 0x5b ? "json" : "other";
  }
  return "other";
}
