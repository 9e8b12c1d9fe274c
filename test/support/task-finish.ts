/** Parsing for tests that expect a job callback: fails the test on a workflow callback. */
import { type ParseOptions, type TaskFinishCallback, type VideoEnhanceJob, isKnownCallback, isKnownJob, parseCallback } from "../../src";

export function parseTaskFinish(body: string | Uint8Array, options?: ParseOptions): TaskFinishCallback {
  const callback = parseCallback(body, options);
  if (!isKnownCallback(callback) || callback.EventName !== "TaskFinish") throw new Error(`expected a TaskFinish callback, got ${callback.EventName}`);
  return callback;
}

/** The one job of a VideoEnhance callback, typed as such: fails the test on any other Tag. */
export function parseVideoEnhanceJob(body: string | Uint8Array, options?: ParseOptions): VideoEnhanceJob {
  const job = parseTaskFinish(body, options).JobsDetail[0];
  if (!isKnownJob(job) || job.Tag !== "VideoEnhance") throw new Error(`expected a VideoEnhance job, got ${job.Tag}`);
  return job;
}
