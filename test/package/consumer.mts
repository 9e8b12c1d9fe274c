// A consumer of the built package, compiled by test/package.test.ts with module nodenext (not by the main tsconfig).
import { CallbackError, isKnownCallback, isKnownJob, parseCallback, type AnyCallback } from "ci-callback";

const parsed: AnyCallback = parseCallback("<Response/>");
// An event newer than the package is set aside first; then EventName narrows every known event.
export const unknownEvent: string | undefined = isKnownCallback(parsed) ? undefined : parsed.EventName;
const callback = isKnownCallback(parsed) ? parsed : undefined;
export const widths: (string | undefined)[] = [];
if (callback?.EventName === "TaskFinish") {
  for (const job of callback.JobsDetail) {
    if (isKnownJob(job) && job.Tag === "VideoEnhance") widths.push(job.Operation.MediaInfo?.Stream?.Video?.[0]?.Width);
  }
}
export const errorName: string = CallbackError.name;
// A moderation callback narrows by EventName too; the Simple version has none.
export const verdicts: (number | undefined)[] = [];
if (callback?.EventName === "ReviewText") verdicts.push(callback.JobsDetail.Result);
else if (callback !== undefined && callback.EventName === undefined) verdicts.push(callback.data.result);
