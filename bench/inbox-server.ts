/**
 * The child processes of bench/inbox.ts, so that the load generator, the receiver and the worker each get a
 * core of their own where there are enough. `inline URL`: the listener running a handler that counts each
 * JobId. `inbox URL QUEUE`: the listener with a BullMQ inbox. `worker URL QUEUE FAIL_PERCENT`: a worker whose
 * handler fails the first attempt of FAIL_PERCENT % of the JobIds (chosen by a hash, so the same ones in
 * every run) and counts the JobIds it handled. Talks to the parent over IPC: `{ port }` or `{ ready }` when
 * started, `{ handled, failedFirst }` when asked "handled".
 */
import { createHash } from "node:crypto";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { createCallbackInbox, createCallbackListener, createCallbackWorker } from "../src";

const [mode, redisUrl = "", queueName = "", failPercent = "0"] = process.argv.slice(2);
const handled = new Map<string, number>();
/** First attempts the worker failed on purpose. */
let failedFirst = 0;
const closers: (() => Promise<unknown>)[] = [];

function count(jobId: string): void {
  handled.set(jobId, (handled.get(jobId) ?? 0) + 1);
}

/** Whether the first attempt of this JobId fails: a stable share of `percent` % of them. */
function failsFirst(jobId: string, percent: number): boolean {
  return createHash("sha256").update(jobId).digest().readUInt16BE(0) % 100 < percent;
}

function serve(listener: RequestListener): void {
  const server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
}

if (mode === "inline") {
  serve(
    createCallbackListener({
      secret: false,
      handler: (callback) => {
        if (callback.EventName === "TaskFinish") count(callback.JobsDetail[0].JobId);
      },
    }),
  );
} else if (mode === "inbox") {
  const inbox = createCallbackInbox({ connection: redisUrl, queueName });
  closers.push(() => inbox.close());
  serve(createCallbackListener({ secret: false, inbox }));
} else if (mode === "worker") {
  const percent = Number(failPercent);
  const attempted = new Set<string>();
  const worker = createCallbackWorker({
    connection: redisUrl,
    queueName,
    concurrency: 50,
    attempts: 3,
    backoff: { type: "fixed", delayMs: 50 },
    onError: () => undefined,
  });
  worker.on("TaskFinish", (callback) => {
    if (callback.EventName !== "TaskFinish") return;
    const jobId = callback.JobsDetail[0].JobId;
    const first = !attempted.has(jobId);
    attempted.add(jobId);
    if (first && failsFirst(jobId, percent)) {
      failedFirst++;
      throw new Error("first attempt fails (bench)");
    }
    count(jobId);
  });
  closers.push(() => worker.close());
  void worker.ready().then(() => process.send?.({ ready: true }));
} else {
  throw new Error("usage: inbox-server.ts inline|inbox|worker REDIS_URL QUEUE [FAIL_PERCENT]");
}

process.on("message", (message) => {
  if (message === "handled") process.send?.({ handled: [...handled], failedFirst });
  if (message === "stop") void Promise.all(closers.map((close) => close())).then(() => process.exit(0));
});
