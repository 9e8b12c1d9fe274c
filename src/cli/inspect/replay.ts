/** Replay: a kept request's body POSTed again, with the headers that tell its format, and the answer read back. */
import { fetchFailure } from "../common";
import { redactUrl } from "../redact";
import type { KeptCallback } from "./recent";
import type { ReplayOutcome } from "./wire";

/** Most of an answer's body a replay shows. */
const MAX_ANSWER_CHARS = 64 * 1024;

/** POSTs `kept`'s body to `target`; never rejects (a failure is in the outcome). */
export async function replay(kept: KeptCallback, target: URL, timeoutMs: number): Promise<ReplayOutcome> {
  const headers: Record<string, string> = {};
  if (kept.contentType !== undefined) headers["content-type"] = kept.contentType;
  if (kept.contentVersion !== undefined) headers["x-ci-content-version"] = kept.contentVersion;
  const outcome: ReplayOutcome = { target: redactUrl(target), status: null, body: "", error: null };
  try {
    const response = await fetch(target, { method: "POST", headers, body: kept.body ?? new Uint8Array(), signal: AbortSignal.timeout(timeoutMs) });
    outcome.status = response.status;
    const text = await response.text();
    outcome.body = text.length > MAX_ANSWER_CHARS ? `${text.slice(0, MAX_ANSWER_CHARS)}…` : text;
  } catch (error) {
    outcome.error = fetchFailure(error, target, timeoutMs);
  }
  return outcome;
}
