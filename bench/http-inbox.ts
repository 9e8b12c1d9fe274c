/**
 * The inbox section of `npm run bench:http` (issue 12): the inline listener (its handler runs in the request)
 * beside the listener with a durable inbox (BullMQ on a redis-server this section starts, AOF fsynced every
 * second, as the README deploys it), whose worker runs during the load in a process of its own; then the
 * same with a worker that fails 30% of first attempts and retries them. Every receiving part shares the
 * server's one core: the listener, redis-server and the worker are pinned to it, and the load generator has
 * the other core to itself, so both listeners get the same budget and the inbox's req/s pays for Redis and
 * the worker. The listener's CPU comes from its own accounting over the load; Redis's (INFO cpu) and the
 * worker's over the load and the drain after it, each per acknowledged request, so that the whole cost of a
 * callback shows. After the load the section waits (at most 60 s) until the queue has drained, then matches
 * acknowledged with handled: lost or doubled, or a queue that did not drain, makes it fail.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startRedisServer } from "../test/support/redis-server";
import {
  ask,
  describeLoad,
  handlerCalls,
  machineState,
  measureRun,
  printTable,
  processMeter,
  seconds,
  seedBody,
  startProcess,
  startServer,
  stopProcess,
  type BenchProcess,
  type CpuMeter,
  type LoadSetup,
  type Run,
} from "./http-load";

const FAIL_PERCENT = 30;
const DRAIN_MS = 60_000;
const server = join(__dirname, "http-server.ts");
const body = seedBody("json");

/** Redis's own CPU time (INFO cpu: user and system, all its threads). */
function redisMeter(client: Redis): CpuMeter {
  const cpuUs = async () => {
    const info = await client.info("cpu");
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? NaN);
    return (field("used_cpu_user") + field("used_cpu_sys")) * 1e6;
  };
  let from = 0;
  return {
    start: async () => {
      from = await cpuUs();
    },
    stop: async () => (await cpuUs()) - from,
  };
}

/** Resolves true once nothing is waiting, delayed or active; false after {@link DRAIN_MS}. */
async function drain(queue: Queue): Promise<boolean> {
  for (const deadline = Date.now() + DRAIN_MS; Date.now() < deadline; ) {
    const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active");
    if (Object.values(counts).every((n) => n === 0)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

interface InboxRun extends Run {
  /** First attempts of measured JobIds the worker failed on purpose (and retried). */
  failedFirst: number | undefined;
}

async function inline(setup: LoadSetup): Promise<InboxRun> {
  const listener = await startServer(server, ["listener"], setup.serverCore);
  try {
    return { ...(await measureRun(setup, listener, body)), failedFirst: undefined };
  } finally {
    await stopProcess(listener);
  }
}

/**
 * The listener with an inbox and a worker failing `failPercent` % of first attempts. With `workerAfterLoad`,
 * a worker drains the warm-up and stops, and another starts only once the load is over: what the
 * acknowledgement costs with nothing else on the core (the worker's CPU is then not metered).
 */
async function withInbox(setup: LoadSetup, redis: { url: string; client: Redis }, failPercent: number, workerAfterLoad = false): Promise<InboxRun> {
  const queueName = `bench-${randomUUID()}`;
  const queue = new Queue(queueName, { connection: { url: redis.url } });
  const listener = await startServer(server, ["inbox", redis.url, queueName], setup.serverCore);
  const startWorker = () => startProcess(join(__dirname, "http-worker.ts"), [redis.url, queueName, String(failPercent)], setup.serverCore);
  let worker: BenchProcess | undefined = await startWorker();
  try {
    const settle = async () => {
      worker ??= await startWorker();
      return drain(queue);
    };
    const beforeLoad = async () => {
      if (workerAfterLoad && worker !== undefined) await stopProcess(worker);
      if (workerAfterLoad) worker = undefined;
    };
    const handled = () => (worker === undefined ? Promise.resolve(new Map<string, number>()) : handlerCalls(worker));
    const meters: Record<string, CpuMeter> = { redis: redisMeter(redis.client) };
    if (!workerAfterLoad) meters.worker = processMeter(worker);
    const run = await measureRun(setup, listener, body, { handling: { settle, calls: handled, beforeLoad }, meters });
    const { failedFirst } = worker === undefined ? { failedFirst: [] } : await ask<{ failedFirst: string[] }>(worker.child, "failed-first");
    return { ...run, failedFirst: failedFirst.filter((id) => id.startsWith("job-")).length };
  } finally {
    await Promise.all([stopProcess(listener), ...(worker === undefined ? [] : [stopProcess(worker)])]);
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

/** Pins every thread of the process `pid` to `core`. */
function pin(pid: string, core: string | undefined): void {
  if (core !== undefined) execFileSync("taskset", ["-a", "-pc", core, pid], { stdio: "ignore" });
}

/** The inbox section. Resolves to false when an acknowledged callback was lost or doubled, or the queue did not drain. */
export async function inboxSection(setup: LoadSetup): Promise<boolean> {
  const redisServer = await startRedisServer({ aof: true });
  const client = new Redis(redisServer.url);
  try {
    pin(/^process_id:(\d+)/m.exec(await client.info("server"))?.[1] ?? "", setup.serverCore);
    const pinning = setup.serverCore === undefined ? "not pinned" : `listener, redis-server and worker on core ${setup.serverCore}, load on core ${setup.clientCore}`;
    console.log(`\nbench:http inbox  ${seconds} s per run after a 1 s warm-up; seed JSON; ${describeLoad(setup)}; ${pinning}; redis-server with AOF (everysec); worker concurrency 50, 3 attempts, 50 ms backoff; loopback; ${machineState()}`);
    for (const note of setup.notes) console.log(`  note: ${note}`);
    const redis = { url: redisServer.url, client };
    const runs: [string, InboxRun][] = [
      ["inline listener (counting handler in the request)", await inline(setup)],
      ["listener + inbox, worker after the load", await withInbox(setup, redis, 0, true)],
      ["listener + inbox, worker during the load", await withInbox(setup, redis, 0)],
      [`listener + inbox, worker failing ${FAIL_PERCENT}% of first attempts`, await withInbox(setup, redis, FAIL_PERCENT)],
    ];
    const perRequest = (us: number | undefined) => (us === undefined ? "–" : us.toFixed(1));
    printTable(
      ["listener", "req/s", "ack p50 ms", "ack p99 ms", "listener CPU µs/request", "listener's core used", "redis CPU µs/request", "worker CPU µs/request", "acknowledged", "handled", "handled, answer cut off", "first attempts failed", "lost", "doubled", "non-2xx/errors"],
      runs.map(([name, r]) => [
        name,
        Math.round(r.requestsPerSecond),
        r.p50Ms.toFixed(2),
        r.p99Ms.toFixed(2),
        r.cpuUsPerRequest.toFixed(1),
        r.coreUsed.toFixed(2),
        perRequest(r.meteredUsPerRequest.redis),
        perRequest(r.meteredUsPerRequest.worker),
        r.acknowledged,
        r.handled,
        r.unanswered,
        r.failedFirst ?? "–",
        r.lost,
        r.doubled,
        r.failures,
      ]),
    );

    const [[, inlineRun], [, ackOnly], [, inboxRun]] = runs as [[string, InboxRun], [string, InboxRun], [string, InboxRun], [string, InboxRun]];
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    const whole = (r: Run) => r.cpuUsPerRequest + (r.meteredUsPerRequest.redis ?? 0) + (r.meteredUsPerRequest.worker ?? 0);
    console.log(`\n  inbox, worker after the load / inline: req/s ${ratio(ackOnly.requestsPerSecond, inlineRun.requestsPerSecond)}, listener CPU per request ${ratio(ackOnly.cpuUsPerRequest, inlineRun.cpuUsPerRequest)}`);
    console.log(`  inbox, worker during the load / inline: req/s ${ratio(inboxRun.requestsPerSecond, inlineRun.requestsPerSecond)}, listener CPU per request ${ratio(inboxRun.cpuUsPerRequest, inlineRun.cpuUsPerRequest)}, listener + redis + worker CPU per callback ${ratio(whole(inboxRun), inlineRun.cpuUsPerRequest)}`);
    const undrained = runs.filter(([, r]) => !r.settled).map(([name]) => name);
    for (const name of undrained) console.log(`  FAILED: ${name}: the queue did not drain within ${DRAIN_MS / 1000} s`);
    const sound = undrained.length === 0 && runs.every(([, r]) => r.lost === 0 && r.doubled === 0);
    console.log(sound ? "  every acknowledged callback was handled exactly once (lost 0, doubled 0)" : "  FAILED: an acknowledged callback was lost or doubled");
    return sound;
  } finally {
    client.disconnect();
    await redisServer.remove();
  }
}
