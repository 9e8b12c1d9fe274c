/**
 * A worker in a process of its own, for the test that kills it: it records each callback it starts in the
 * Redis list `started:<queue>` and then holds it (a handler that never finishes), so that the test can kill
 * the process with jobs in hand. Arguments: the Redis URL and the queue name.
 */
import { Redis } from "ioredis";
import { createCallbackWorker } from "../../src/inbox";

const [url = "", queueName = ""] = process.argv.slice(2);
const redis = new Redis(url);
const worker = createCallbackWorker({ connection: url, queueName, concurrency: 4, lockDurationMs: 1000, stalledIntervalMs: 500 });
worker.on("TaskFinish", async (callback) => {
  if (callback.EventName !== "TaskFinish") return;
  await redis.rpush(`started:${queueName}`, callback.JobsDetail[0].JobId);
  await new Promise(() => undefined);
});
