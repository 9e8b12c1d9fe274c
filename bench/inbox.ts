/**
 * Durable delivery under load (`tsx bench/inbox.ts`; chained into `npm run bench:http`): the listener with a
 * BullMQ inbox beside the inline listener, each in a forked process, loaded by autocannon from this one, on
 * a redis-server this script starts (AOF, fsync every second, as the README deploys it). Prints req/s and the
 * p50/p99 of the acknowledgement; then a run with a worker whose handler fails 30% of first attempts, and
 * the acknowledged / handled / lost / doubled counts once the queue has drained. Lost or doubled: exit 1.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import autocannon from "autocannon";
import { Queue } from "bullmq";
import { exampleBody } from "../src";
import { startRedisServer } from "../test/support/redis-server";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 10;
const FAIL_PERCENT = 30;
const ID = "j-bench-placeholder";
const template = exampleBody("Transcode", "json", { set: { JobId: ID } });

interface Child {
  child: ChildProcess;
  port?: number;
}

function start(args: string[]): Promise<Child> {
  const child = fork(join(__dirname, "inbox-server.ts"), args, { execArgv: ["--require", "tsx/cjs"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    child.once("message", (message) => resolve({ child, port: (message as { port?: number }).port }));
  });
}

function ask<T>(child: ChildProcess, question: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(question);
  });
}

function stop({ child }: Child): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.send("stop");
  });
}

interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** JobIds answered 2xx. */
  acknowledged: string[];
}

/** One autocannon run; each request gets the next JobId. */
async function load(port: number, runSeconds: number, prefix: string): Promise<Measured> {
  const acknowledged: string[] = [];
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections,
    duration: runSeconds,
    requests: [
      {
        method: "POST",
        setupRequest: (request, context) => {
          const jobId = `${prefix}${next++}`;
          (context as { jobId?: string }).jobId = jobId;
          return { ...request, headers: { "content-type": "application/json" }, body: template.replace(ID, jobId) };
        },
        onResponse: (status, _body, context) => {
          if (status >= 200 && status < 300) acknowledged.push((context as { jobId: string }).jobId);
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    acknowledged,
  };
}

/** The counts of the measured run's JobIds (not the warm-up's). */
function measuredOnly(handled: [string, number][]): Map<string, number> {
  return new Map(handled.filter(([id]) => id.startsWith("job-")));
}

/** Waits until no job is waiting, delayed or active (bounded: 60 s). */
async function drain(queue: Queue): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const counts = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
    if (Object.values(counts).every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the queue did not drain within 60 s");
}

interface Run {
  name: string;
  measured: Measured;
  handled: Map<string, number>;
  /** First attempts the worker failed on purpose (retried). */
  failedFirst: number;
}

type HandledAnswer = { handled: [string, number][]; failedFirst?: number };

async function inline(redisUrl: string): Promise<Run> {
  const server = await start(["inline", redisUrl]);
  try {
    await load(server.port ?? 0, 1, "warm-");
    const measured = await load(server.port ?? 0, seconds, "job-");
    const { handled } = await ask<HandledAnswer>(server.child, "handled");
    return { name: "inline listener (handler in the request)", measured, handled: measuredOnly(handled), failedFirst: 0 };
  } finally {
    await stop(server);
  }
}

/**
 * The listener with an inbox; the worker runs during the load (sharing the cores), or with `workerAfter`
 * only once the load is over, so that the acknowledgement's own cost shows.
 */
async function withInbox(redisUrl: string, failPercent: number, workerAfter = false): Promise<Run> {
  const queueName = `bench-${randomUUID()}`;
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  const server = await start(["inbox", redisUrl, queueName]);
  const startWorker = () => start(["worker", redisUrl, queueName, String(failPercent)]);
  let worker = workerAfter ? undefined : await startWorker();
  try {
    await load(server.port ?? 0, 1, "warm-");
    const measured = await load(server.port ?? 0, seconds, "job-");
    worker ??= await startWorker();
    await drain(queue);
    const { handled, failedFirst = 0 } = await ask<HandledAnswer>(worker.child, "handled");
    const name = workerAfter
      ? "listener + inbox, worker started after the load"
      : failPercent === 0
        ? "listener + inbox, 1 worker during the load"
        : `listener + inbox, worker failing ${failPercent}% of first attempts`;
    return { name, measured, handled: measuredOnly(handled), failedFirst };
  } finally {
    await Promise.all([stop(server), ...(worker === undefined ? [] : [stop(worker)])]);
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

async function main(): Promise<number> {
  const redis = await startRedisServer({ aof: true });
  try {
    console.log(`bench:inbox  ${seconds} s per run after a 1 s warm-up, ${connections} connections, loopback, redis-server with AOF (everysec)`);
    const runs = [
      await inline(redis.url),
      await withInbox(redis.url, 0, true),
      await withInbox(redis.url, 0),
      await withInbox(redis.url, FAIL_PERCENT),
    ];
    let failed = false;
    console.table(
      runs.map(({ name, measured, handled, failedFirst }) => {
        const lost = measured.acknowledged.filter((id) => handled.get(id) === undefined).length;
        const doubled = [...handled.values()].filter((n) => n > 1).length;
        const acknowledged = new Set(measured.acknowledged);
        failed ||= lost > 0 || doubled > 0;
        return {
          server: name,
          "req/s": Math.round(measured.requestsPerSecond),
          "ack p50 ms": measured.p50,
          "ack p99 ms": measured.p99,
          acknowledged: measured.acknowledged.length,
          "non-2xx/errors": measured.non2xx,
          "first attempts failed (warm-up too)": failedFirst,
          handled: handled.size,
          // Stored and handled, but the end of the run cut the answer off: not acknowledged, not lost.
          "handled, answer cut off": [...handled.keys()].filter((id) => !acknowledged.has(id)).length,
          lost,
          doubled,
        };
      }),
    );
    const [inlineRun, inboxRun] = runs;
    if (inlineRun !== undefined && inboxRun !== undefined) {
      const ratio = inboxRun.measured.requestsPerSecond / inlineRun.measured.requestsPerSecond;
      console.log(`ratio inbox (worker after the load) / inline req/s: ${ratio.toFixed(2)}`);
    }
    console.log(failed ? "lost = 0 and doubled = 0: NOT MET" : "lost = 0 and doubled = 0: met");
    return failed ? 1 : 0;
  } finally {
    await redis.remove();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
