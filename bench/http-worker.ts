/**
 * The worker of the inbox section of `npm run bench:http`, in a process of its own: `REDIS_URL QUEUE
 * FAIL_PERCENT`, a worker of the built package (concurrency 50, 3 attempts, 50 ms fixed backoff) whose handler
 * fails the first attempt of FAIL_PERCENT % of the JobIds (chosen by a hash of the JobId, so the same ones in
 * every run) and counts each JobId it handled. Sends `{}` once ready; answers the parent as
 * bench/http-child.ts says, and `"failed-first"` with the JobIds whose first attempt it failed on purpose.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type * as WorkerModule from "../src/inbox/worker";
import { answerParent, countCall } from "./http-child";

const { createCallbackWorker } = require(join(__dirname, "..", "dist", "src", "inbox", "worker")) as typeof WorkerModule;

const [redisUrl, queueName, failPercent] = process.argv.slice(2);
if (redisUrl === undefined || queueName === undefined || failPercent === undefined) throw new Error("usage: http-worker.ts REDIS_URL QUEUE FAIL_PERCENT");
const percent = Number(failPercent);

/** Whether the first attempt of this JobId fails: a stable share of `percent` % of them. */
function failsFirst(jobId: string): boolean {
  return createHash("sha256").update(jobId).digest().readUInt16BE(0) % 100 < percent;
}

const calls = new Map<string, number>();
const attempted = new Set<string>();
const failedFirst: string[] = [];
const worker = createCallbackWorker({
  connection: redisUrl,
  queueName,
  concurrency: 50,
  attempts: 3,
  backoff: { type: "fixed", delayMs: 50 },
  onError: () => undefined, // the failures are the bench's own; the delivery check counts what matters
});
worker.on("TaskFinish", (callback) => {
  if (callback.EventName !== "TaskFinish") return;
  const jobId = callback.JobsDetail[0].JobId;
  const first = !attempted.has(jobId);
  attempted.add(jobId);
  if (first && failsFirst(jobId)) {
    failedFirst.push(jobId);
    throw new Error("first attempt fails (bench)");
  }
  countCall(calls, jobId);
});

answerParent({ calls, answers: () => 0, close: () => worker.close() });
process.on("message", (message) => {
  if (message === "failed-first") process.send?.({ failedFirst });
});
void worker.ready().then(() => process.send?.({}));
