/**
 * One side of the worker row of `npm run bench:http`'s inbox section, in a process of its own: `REDIS_URL
 * QUEUE callback|raw WARM COUNT`. `callback`: createCallbackWorker of the built package with a no-op handler
 * on TaskFinish; `raw`: a BullMQ Worker with a no-op processor. Both at concurrency 8, on a queue the section
 * filled with WARM + COUNT callbacks before this process started. The first WARM jobs warm the process up
 * (connections, JIT), as in a worker that has been running a while; sends `{ ms, cpuUs }` (from the WARM-th
 * handler call to the WARM + COUNT-th, and this process's CPU over it), then closes the worker and exits.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type * as WorkerModule from "../src/inbox/worker";

const [redisUrl, queueName, kind, warmText, countText] = process.argv.slice(2);
if (redisUrl === undefined || queueName === undefined || (kind !== "callback" && kind !== "raw") || warmText === undefined || countText === undefined) {
  throw new Error("usage: worker-throughput.ts REDIS_URL QUEUE callback|raw WARM COUNT");
}
const warm = Number(warmText);
const count = Number(countText);
let calls = 0;
let startedAt = performance.now();
let startCpu = process.cpuUsage();
let done: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (done = resolve));
const noOp = () => {
  calls++;
  if (calls === warm) {
    startedAt = performance.now();
    startCpu = process.cpuUsage();
  }
  if (calls === warm + count) done();
};

async function run(): Promise<void> {
  let close: () => Promise<void>;
  if (kind === "callback") {
    const { createCallbackWorker } = require(join(__dirname, "..", "dist", "src", "inbox", "worker")) as typeof WorkerModule;
    const worker = createCallbackWorker({ connection: redisUrl as string, queueName: queueName as string, concurrency: 8 });
    worker.on("TaskFinish", noOp);
    close = () => worker.close();
  } else {
    const { Worker } = require("bullmq") as typeof import("bullmq");
    const worker = new Worker(queueName as string, async () => noOp(), { connection: { url: redisUrl }, concurrency: 8 });
    close = () => worker.close();
  }
  await finished;
  const ms = performance.now() - startedAt;
  const cpu = process.cpuUsage(startCpu);
  process.send?.({ ms, cpuUs: cpu.user + cpu.system });
  await close();
  process.exit(0);
}

void run();
