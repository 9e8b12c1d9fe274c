/**
 * What the inspector keeps of one request the listener answered: the summary the list shows, and the detail
 * (the tree, the issues, the answer) the page asks for when the request is selected.
 */
import { normalizedCandidate } from "../../canonical/callback";
import type { ReceivedCallback } from "../../receiver/events";
import type { ListenerAnswer, AnswerBody } from "../../receiver/answer";
import { redactUrl } from "../redact";
import type { KeptCallback } from "./recent";
import { bodyFields, formatOf } from "./summary";
import type { CallbackDetail } from "./wire";

/** Longest request path (and query) a summary keeps. */
const MAX_PATH = 300;

/** A request as the listen command saw it. */
export interface SeenRequest {
  time: Date;
  method: string;
  path: string;
  contentType: string | undefined;
  contentVersion: string | undefined;
  /** The body, Content-Encoding undone; undefined when the listener refused before reading it. */
  body: Uint8Array | undefined;
  answer: ListenerAnswer;
  /** The canonical object, when the body was valid. */
  callback: ReceivedCallback | undefined;
}

/** The kept form of a request, numbered `id`. */
export function keptCallback(id: number, seen: SeenRequest): KeptCallback {
  const { body, answer, callback, contentVersion } = seen;
  const reply = JSON.parse(answer.body) as AnswerBody;
  const error = reply.ok ? undefined : reply.error;
  // A body refused by validation still reads: its normalised value names the event and is what the paths point into.
  const tree = callback ?? (body !== undefined && error?.kind === "validation" ? normalizedCandidate(body, { contentVersion }) : undefined);
  const detail: Omit<CallbackDetail, "summary" | "body"> = {
    tree: tree ?? null,
    canonical: callback !== undefined,
    issues: error?.issues === undefined ? [] : [...error.issues],
    answer: answer.body,
  };
  return {
    summary: {
      id,
      time: seen.time.toISOString(),
      method: seen.method,
      path: shown(seen.path),
      status: answer.status,
      valid: callback !== undefined,
      outcome: callback !== undefined ? "valid" : (error?.kind ?? "refused"),
      ...bodyFields(tree),
      format: formatOf(body),
      bytes: body?.byteLength ?? 0,
    },
    path: seen.path,
    body,
    contentType: seen.contentType,
    contentVersion,
    detail: () => detail,
  };
}

/** The path as the page shows it: no secret (a `token`), and its start only (Node takes up to 16 KB of headers). */
function shown(path: string): string {
  const redacted = redactUrl(path);
  return redacted.length > MAX_PATH ? `${redacted.slice(0, MAX_PATH)}…` : redacted;
}
