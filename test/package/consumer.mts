// A consumer of the built package, compiled by test/package.test.ts with module nodenext (not by the main tsconfig).
import { CallbackError, isKnownJob, parseCallback, type CiCallback } from "ci-callback";

const callback: CiCallback = parseCallback("<Response/>");
export const widths: (string | undefined)[] = [];
if (callback.EventName === "TaskFinish") {
  for (const job of callback.JobsDetail) {
    if (isKnownJob(job) && job.Tag === "VideoEnhance") widths.push(job.Operation.MediaInfo?.Stream?.Video?.[0]?.Width);
  }
}
export const errorName: string = CallbackError.name;
