/**
 * One line a person reads about a callback, for the CLI's `listen` and `validate`: the event, then each job's
 * Tag, JobId and State (and Code when it failed), the workflow run, or the moderation verdict. Every part is
 * text from the body, so each is made {@link printable} before it reaches a terminal.
 */
import type { AnyCallback, UnknownEventCallback } from "../../generated/types";
import { printable } from "../read/printable";
import { isKnownCallback } from "./callback";

/** `TaskFinish  VideoEnhance  j7d0…  Success`: the parts of a callback a person looks for, two spaces apart. */
export function summarizeCallback(callback: AnyCallback): string {
  return summaryParts(callback)
    .map((part) => printable(part))
    .join("  ");
}

/** What is missing is shown as `-`, so that the parts keep their places. */
function summaryParts(callback: AnyCallback): string[] {
  if (!isKnownCallback(callback)) return unknownEventParts(callback);
  if (callback.EventName === undefined) {
    const { data } = callback;
    return ["Simple", data.event ?? "-", data.trace_id, `result ${data.result ?? "-"}`];
  }
  if (callback.EventName === "WorkflowFinish" || callback.EventName === "WorkflowStart") {
    const run = callback.WorkflowExecution;
    return [
      callback.EventName,
      run.WorkflowName ?? "-",
      run.RunId ?? "-",
      run.State ?? "-",
      `${run.Tasks?.length ?? 0} tasks`,
    ];
  }
  if (callback.EventName !== "TaskFinish") {
    const job = callback.JobsDetail;
    // Documents and webpages call the verdict Suggestion.
    const verdict = "Suggestion" in job ? job.Suggestion : "Result" in job ? job.Result : undefined;
    return [callback.EventName, job.JobId, job.State, `result ${verdict ?? "-"}`];
  }
  const jobs = callback.JobsDetail.flatMap((job) => {
    const parts = [job.Tag, job.JobId, job.State ?? "-"];
    return job.State === "Failed" && job.Code !== undefined ? [...parts, job.Code] : parts;
  });
  return [callback.EventName, ...jobs];
}

/** An event newer than the package: its EventName, then Tag, JobId and State of each job, then the run's RunId. */
function unknownEventParts(callback: UnknownEventCallback): string[] {
  const jobs = (callback.JobsDetail ?? []).flatMap((job) => [job.Tag, job.JobId, job.State ?? "-"]);
  const run = callback.WorkflowExecution;
  return [callback.EventName, "(unknown event)", ...jobs, ...(run ? [run.RunId] : [])];
}
