/**
 * The inbox section of `npm run bench:http` (issues 12 and 17): the inline listener (its handler runs in the
 * request) beside the listener with a durable inbox (BullMQ on a redis-server this section starts, AOF fsynced
 * every second, as the README deploys it): the inbox as shipped before issue 17 (bench/shipped-inbox.ts) and
 * the new one with its worker idle during the load, the new one with the worker running during the load in a
 * process of its own, and with a worker that fails 30% of first attempts and retries them; then the inline
 * listener and the new inbox (idle, busy) in more rounds, side by side, for the req/s targets. Then the worker
 * alone against a raw BullMQ Worker (no-op, concurrency 8, runs in turn on queues filled alike: the callback
 * worker on callbacks as stored and on the same as BullMQ jobs, the raw one on those jobs; with the Redis
 * commands and scripts each ran per job, from INFO commandstats), and the
 * Redis bytes a waiting and a handled callback take (INFO used_memory over the fills and drains). Every receiving part shares the
 * server's one core: the listener, redis-server and the worker are pinned to it, and the load generator has
 * the other core to itself, so both listeners get the same budget and the inbox's req/s pays for Redis and
 * the worker. The listener's CPU comes from its own accounting over the load; Redis's (INFO cpu) and the
 * worker's over the load and the drain after it, each per acknowledged request, so that the whole cost of a
 * callback shows. After the load the section waits (at most 60 s) until the queue has drained, then matches
 * acknowledged with handled: lost or doubled, or a queue that did not drain, makes it fail. Last, the floor of
 * an add (bench/inbox-add-floor.ts): BullMQ's add and two plain XADDs with nothing around them, and the highest
 * inbox / inline ratio each leaves once Redis shares the listener's core. The second row is that floor under
 * load: the listener with a bare XADD of each body (bench/xadd-floor-inbox.ts), what no inbox on Redis can beat.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type * as InboxModule from "../src/inbox/bullmq-inbox";
import type * as ConnectionModule from "../src/inbox/connection";
import type * as MoverModule from "../src/inbox/mover";
import type * as ListenerModule from "../src/receiver/listener";
import { startRedisServer } from "../test/support/redis-server";
import {
  JOB_ID_PLACEHOLDER,
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
import { addFloors } from "./inbox-add-floor";

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

/** The inbox's ingest stream of `queue` (src/inbox/connection.ts). */
function ingestKey(queue: Queue): string {
  return `${queue.opts.prefix ?? "bull"}:${queue.name}:ci-ingest`;
}

/** Resolves true once nothing is waiting (in the ingest stream or the queue), delayed or active; false after {@link DRAIN_MS}. */
async function drain(queue: Queue, client: Redis): Promise<boolean> {
  for (const deadline = Date.now() + DRAIN_MS; Date.now() < deadline; ) {
    const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active");
    if (Object.values(counts).every((n) => n === 0) && (await client.xlen(ingestKey(queue))) === 0) return true;
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

/** The listener with the floor of an inbox (bench/xadd-floor-inbox.ts): a bare XADD of each body, nothing else. */
async function xaddFloor(setup: LoadSetup, redis: { url: string; client: Redis }): Promise<InboxRun> {
  const stream = `bench-floor-${randomUUID()}`;
  const listener = await startServer(server, ["xadd-floor", redis.url, stream], setup.serverCore);
  try {
    return { ...(await measureRun(setup, listener, body, { meters: { redis: redisMeter(redis.client) } })), failedFirst: undefined };
  } finally {
    await stopProcess(listener);
    await redis.client.del(stream);
  }
}

/**
 * The listener with an inbox and a worker failing `failPercent` % of first attempts. With `workerAfterLoad`,
 * a worker drains the warm-up and stops, and another starts only once the load is over: what the
 * acknowledgement costs with nothing else on the core (the worker's CPU is then not metered).
 */
async function withInbox(setup: LoadSetup, redis: { url: string; client: Redis }, failPercent: number, workerAfterLoad = false, shipped = false): Promise<InboxRun> {
  const queueName = `bench-${randomUUID()}`;
  const queue = new Queue(queueName, { connection: { url: redis.url } });
  const listener = await startServer(server, [shipped ? "inbox-shipped" : "inbox", redis.url, queueName], setup.serverCore);
  const startWorker = () => startProcess(join(__dirname, "http-worker.ts"), [redis.url, queueName, String(failPercent)], setup.serverCore);
  let worker: BenchProcess | undefined = await startWorker();
  try {
    const settle = async () => {
      worker ??= await startWorker();
      return drain(queue, redis.client);
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

/** One worker's drain of a filled queue. */
interface WorkerRun {
  jobsPerSecond: number;
  cpuUsPerJob: number;
  /** Redis commands per job over the process's life (INFO commandstats; those of scripts counted too), and scripts run per job. */
  commandsPerJob: number;
  scriptsPerJob: number;
}

/** Commands and scripts (EVAL, EVALSHA) Redis ran since its last CONFIG RESETSTAT. */
async function commandCounts(client: Redis): Promise<{ commands: number; scripts: number }> {
  let commands = 0;
  let scripts = 0;
  for (const [, name, calls] of (await client.info("commandstats")).matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    if (name === "config|resetstat" || name === "info") continue;
    commands += Number(calls);
    if (name === "evalsha" || name === "eval") scripts += Number(calls);
  }
  return { commands, scripts };
}

/** Redis's used_memory, in bytes. */
async function usedMemory(client: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await client.info("memory"))?.[1] ?? NaN);
}

/**
 * Fills `queueName` with `count` seed callbacks through the built listener and a new inbox, 64 at a time, as
 * a worker finds them in the ingest stream; with `asJobs`, also moves them into BullMQ's queue with the
 * inbox's mover (no direct handling), so that a worker finds them as BullMQ jobs (a raw BullMQ Worker's only input).
 */
async function fill(url: string, queueName: string, count: number, prefix: string, asJobs: boolean): Promise<void> {
  const built = join(__dirname, "..", "dist", "src");
  const { createCallbackInbox } = require(join(built, "inbox", "bullmq-inbox")) as typeof InboxModule;
  const { createCallbackListener } = require(join(built, "receiver", "listener")) as typeof ListenerModule;
  const { startMover } = require(join(built, "inbox", "mover")) as typeof MoverModule;
  const { queueKeys } = require(join(built, "inbox", "connection")) as typeof ConnectionModule;
  const inbox = createCallbackInbox({ connection: url, queueName });
  const listener = createCallbackListener({ secret: false, inbox });
  try {
    for (let from = 0; from < count; from += 64) {
      const replies = await Promise.all(
        Array.from({ length: Math.min(64, count - from) }, (_, i) =>
          listener.handle({ method: "POST", url: "/", body: async () => Buffer.from(body.template.replace(JOB_ID_PLACEHOLDER, `${prefix}${from + i}`)) }),
        ),
      );
      if (replies.some((reply) => reply.status !== 200)) throw new Error("the bench could not fill the queue");
    }
  } finally {
    await inbox.close();
  }
  if (!asJobs) return;
  const client = new Redis(url);
  const keys = queueKeys("bull", queueName);
  let failure: unknown;
  const mover = startMover({ client, keys, queueName, prefix: undefined, claimIdleMs: 30_000, claimEveryMs: 30_000, report: (error) => (failure ??= error) });
  try {
    while ((await client.xlen(keys.ingest)) > 0 && failure === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await mover.stop();
    await client.quit();
  }
  if (failure !== undefined) throw failure;
}

/** The worker rows: createCallbackWorker on callbacks as the listener stores them, on BullMQ jobs (its retries' path), and a raw BullMQ Worker on the same jobs. */
const WORKER_KINDS = ["callback", "callback-jobs", "raw"] as const;
type WorkerKind = (typeof WORKER_KINDS)[number];

/** Drains a filled queue with the `kind` worker in a process of its own on the server's core. */
async function drainWith(setup: LoadSetup, redis: { url: string; client: Redis }, queueName: string, kind: WorkerKind, count: number): Promise<WorkerRun> {
  await redis.client.config("RESETSTAT");
  const program = kind === "raw" ? "raw" : "callback";
  const { child, hello } = await startProcess(join(__dirname, "worker-throughput.ts"), [redis.url, queueName, program, String(WORKER_WARM), String(count)], setup.serverCore);
  // Gone before the next fill: a worker still closing would take that fill's first callbacks.
  if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  const { ms, cpuUs } = hello as { ms: number; cpuUs: number };
  const { commands, scripts } = await commandCounts(redis.client);
  const jobs = WORKER_WARM + count;
  return { jobsPerSecond: count / (ms / 1000), cpuUsPerJob: cpuUs / count, commandsPerJob: commands / jobs, scriptsPerJob: scripts / jobs };
}

/**
 * The workers alone, in turn, `rounds` each (the order turned round each round, so that neither always runs
 * first), on one queue filled alike before each run; and the Redis bytes of a waiting and of a handled
 * callback, from used_memory around each fill and drain.
 */
async function workerRows(setup: LoadSetup, redis: { url: string; client: Redis }, rounds: number, count: number) {
  const queueName = `bench-worker-${randomUUID()}`;
  const runs: Record<WorkerKind, WorkerRun[]> = { callback: [], "callback-jobs": [], raw: [] };
  const waitingBytes: number[] = [];
  const handledBytes: number[] = [];
  // A first fill and drain brings BullMQ's capped events stream to its size, so that what follows measures callbacks.
  await fill(redis.url, queueName, WORKER_WARM + 1000, "warm-", true);
  await drainWith(setup, redis, queueName, "callback-jobs", 1000);
  for (let round = 0; round < rounds; round++) {
    const kinds = round % 2 === 0 ? WORKER_KINDS : [...WORKER_KINDS].reverse();
    for (const kind of kinds) {
      const before = await usedMemory(redis.client);
      await fill(redis.url, queueName, WORKER_WARM + count, `${kind}-${round}-`, kind !== "callback");
      const filled = await usedMemory(redis.client);
      runs[kind].push(await drainWith(setup, redis, queueName, kind, count));
      const queue = new Queue(queueName, { connection: { url: redis.url } });
      if (!(await drain(queue, redis.client))) throw new Error("the worker bench's queue did not drain");
      await queue.close();
      if (kind === "callback") {
        waitingBytes.push((filled - before) / (WORKER_WARM + count));
        handledBytes.push(((await usedMemory(redis.client)) - before) / (WORKER_WARM + count));
      }
    }
  }
  const queue = new Queue(queueName, { connection: { url: redis.url } });
  await queue.obliterate({ force: true });
  await queue.close();
  return { runs, waitingBytes: median(waitingBytes), handledBytes: median(handledBytes) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Pins every thread of the process `pid` to `core`. */
function pin(pid: string, core: string | undefined): void {
  if (core !== undefined) execFileSync("taskset", ["-a", "-pc", core, pid], { stdio: "ignore" });
}

const WORKER_ROUNDS = 5;
/** Rounds of the rows the req/s targets compare (BENCH_INBOX_ROUNDS, default 3): the first is the table's. */
const INBOX_ROUNDS = Math.max(1, Number(process.env.BENCH_INBOX_ROUNDS ?? "3"));
const SIDE_BY_SIDE = ["inline", "idle", "busy"] as const;
type SideBySide = (typeof SIDE_BY_SIDE)[number];
const WORKER_JOBS = 3000;
/** Jobs each worker process handles before its measured ones (connections, JIT warm). */
const WORKER_WARM = 1000;

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
    const startedAt = performance.now();
    const runs: [string, InboxRun][] = [
      ["inline listener (counting handler in the request)", await inline(setup)],
      ["listener + a bare XADD of each body (the floor, not an inbox: no dedup, caps or worker)", await xaddFloor(setup, redis)],
      ["listener + inbox as shipped (before #17), worker after the load", await withInbox(setup, redis, 0, true, true)],
      ["listener + new inbox, worker idle (after the load)", await withInbox(setup, redis, 0, true)],
      ["listener + new inbox, worker on the same core during the load", await withInbox(setup, redis, 0)],
      [`listener + new inbox, worker failing ${FAIL_PERCENT}% of first attempts`, await withInbox(setup, redis, FAIL_PERCENT)],
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

    // More rounds of the three rows the req/s targets compare, the order turned each round: one run of each is
    // at the mercy of whatever else takes the shared core during it.
    const rounds: Record<SideBySide, InboxRun>[] = [{ inline: runs[0]![1], idle: runs[3]![1], busy: runs[4]![1] }];
    for (let round = 1; round < INBOX_ROUNDS; round++) {
      const order = SIDE_BY_SIDE.map((_, i) => SIDE_BY_SIDE[(i + round) % SIDE_BY_SIDE.length]!);
      const measured: Partial<Record<SideBySide, InboxRun>> = {};
      for (const row of order) measured[row] = row === "inline" ? await inline(setup) : await withInbox(setup, redis, 0, row === "idle");
      rounds.push(measured as Record<SideBySide, InboxRun>);
    }
    console.log(`\nside by side: the inline listener and the new inbox (worker idle, worker on the same core), ${INBOX_ROUNDS} rounds, the order turned each round`);
    printTable(
      ["round", "inline req/s", "worker idle req/s", "worker on the core req/s", "idle / inline", "busy / inline"],
      rounds.map((r, i) => [i + 1, Math.round(r.inline.requestsPerSecond), Math.round(r.idle.requestsPerSecond), Math.round(r.busy.requestsPerSecond), `${(r.idle.requestsPerSecond / r.inline.requestsPerSecond).toFixed(2)}×`, `${(r.busy.requestsPerSecond / r.inline.requestsPerSecond).toFixed(2)}×`]),
    );

    const workers = await workerRows(setup, redis, WORKER_ROUNDS, WORKER_JOBS);
    console.log(`\nworker alone: ${WORKER_JOBS} seed callbacks per run after ${WORKER_WARM} to warm up, no-op handler, concurrency 8, worker and redis-server on core ${setup.serverCore ?? "-"}; ${WORKER_ROUNDS} rounds, the workers in turn`);
    const workerNames: Record<WorkerKind, string> = {
      callback: "createCallbackWorker, callbacks as the listener stores them",
      "callback-jobs": "createCallbackWorker, the same as BullMQ jobs (its retries' path)",
      raw: "raw BullMQ Worker, the same as BullMQ jobs",
    };
    printTable(
      ["worker", "jobs/s per run", "median jobs/s", "median worker CPU µs/job", "Redis commands per job", "scripts per job"],
      WORKER_KINDS.map((kind) => [
        workerNames[kind],
        workers.runs[kind].map((r) => Math.round(r.jobsPerSecond)).join(" / "),
        Math.round(median(workers.runs[kind].map((r) => r.jobsPerSecond))),
        median(workers.runs[kind].map((r) => r.cpuUsPerJob)).toFixed(1),
        median(workers.runs[kind].map((r) => r.commandsPerJob)).toFixed(2),
        median(workers.runs[kind].map((r) => r.scriptsPerJob)).toFixed(3),
      ]),
    );
    const pairedRatios = (kind: WorkerKind) => workers.runs[kind].map((run, i) => run.jobsPerSecond / (workers.runs.raw[i]?.jobsPerSecond ?? NaN));
    const perRound = (ratios: number[]) => ratios.map((r) => `${r.toFixed(2)}×`).join(" / ");
    console.log(`createCallbackWorker / raw BullMQ Worker per round (side by side): ${perRound(pairedRatios("callback"))}; on BullMQ jobs: ${perRound(pairedRatios("callback-jobs"))}`);
    console.log(`\nRedis bytes per callback (used_memory, median of the runs): waiting ${Math.round(workers.waitingBytes)} (body ${Buffer.byteLength(body.template)}), handled ${Math.round(workers.handledBytes)}`);
    const floors = await addFloors(client);
    const inlineUs = runs[0][1].cpuUsPerRequest;
    console.log(`\nthe floor of an add (bench/inbox-add-floor.ts): 64 per round trip, nothing else, medians of 3 alternating rounds; inline listener ${inlineUs.toFixed(1)} µs/request in this run (L): highest = L / (L + redis + sender)`);
    printTable(
      ["add", "redis CPU µs/add", "sender CPU µs/add", "highest inbox / inline with Redis on the listener's core"],
      floors.map((floor) => [floor.name, floor.redisUsPerAdd.toFixed(1), floor.senderUsPerAdd.toFixed(1), `${(inlineUs / (inlineUs + floor.redisUsPerAdd + floor.senderUsPerAdd)).toFixed(2)}×`]),
    );
    console.log(`section took ${((performance.now() - startedAt) / 1000).toFixed(0)} s; ${machineState()} at its end`);

    const [[, inlineRun], [, floorRun], [, shippedRun], [, idleRun], [, busyRun]] = runs as [[string, InboxRun], [string, InboxRun], [string, InboxRun], [string, InboxRun], [string, InboxRun], [string, InboxRun]];
    const ratio = (a: number, b: number) => a / b;
    // Each round's two runs are side by side; the median of their ratios is steadier on a loaded machine than a ratio of medians.
    const workerRatio = median(pairedRatios("callback"));
    const everyRun = [...runs, ...rounds.slice(1).flatMap((r) => SIDE_BY_SIDE.map((row) => [`${row} (round ${rounds.indexOf(r) + 1})`, r[row]] as [string, InboxRun]))];
    const undrained = everyRun.filter(([, r]) => !r.settled).map(([name]) => name);
    const sound = undrained.length === 0 && everyRun.every(([, r]) => r.lost === 0 && r.doubled === 0);
    console.log(`\n  bare XADD (the floor) / inline: req/s ${ratio(floorRun.requestsPerSecond, inlineRun.requestsPerSecond).toFixed(2)}×; new inbox, worker idle / bare XADD: ${ratio(idleRun.requestsPerSecond, floorRun.requestsPerSecond).toFixed(2)}×`);
    console.log(`  shipped inbox / inline: req/s ${ratio(shippedRun.requestsPerSecond, inlineRun.requestsPerSecond).toFixed(2)}×; new inbox, worker idle / shipped inbox: ${ratio(idleRun.requestsPerSecond, shippedRun.requestsPerSecond).toFixed(2)}×`);
    // Every receiving part shares one core, so what a request costs that core is steadier than req/s when other work takes the core away unevenly.
    const coreCost = (r: InboxRun) => r.cpuUsPerRequest + (r.meteredUsPerRequest.redis ?? 0) + (r.meteredUsPerRequest.worker ?? 0);
    const byCost = (r: InboxRun) => `${ratio(inlineRun.cpuUsPerRequest, coreCost(r)).toFixed(2)}×`;
    console.log(`  by CPU per request on the shared core (inline ÷ listener + redis + worker): bare XADD ${byCost(floorRun)}, shipped inbox ${byCost(shippedRun)}, new inbox with the worker idle ${byCost(idleRun)}, with the worker on the same core ${byCost(busyRun)}`);
    // What a listener costs its own core when Redis and the worker run elsewhere, as in most deployments.
    const ownCost = (r: InboxRun) => `${ratio(inlineRun.cpuUsPerRequest, r.cpuUsPerRequest).toFixed(2)}×`;
    console.log(`  by the listener's own CPU per request (inline ÷ listener; Redis and the worker elsewhere): bare XADD ${ownCost(floorRun)}, shipped inbox ${ownCost(shippedRun)}, new inbox ${ownCost(idleRun)}`);
    console.log("targets (inbox):");
    const target = (met: boolean, text: string) => console.log(`  ${met ? "met    " : "NOT MET"}  ${text}`);
    // The median of the rounds' ratios, each round's runs side by side.
    const idle = median(rounds.map((r) => ratio(r.idle.requestsPerSecond, r.inline.requestsPerSecond)));
    const busy = median(rounds.map((r) => ratio(r.busy.requestsPerSecond, r.inline.requestsPerSecond)));
    target(idle >= 0.6, `new inbox, worker idle / inline listener, req/s (median of ${INBOX_ROUNDS} rounds' ratios), at least 0.6×: ${idle.toFixed(2)}×`);
    target(busy >= 0.25, `new inbox, worker on the listener's core / inline listener, req/s (median of ${INBOX_ROUNDS} rounds' ratios), at least 0.25×: ${busy.toFixed(2)}×`);
    target(workerRatio >= 0.9, `createCallbackWorker / raw BullMQ Worker, jobs/s (no-op, concurrency 8; callbacks as stored / the same as jobs; median of the rounds' ratios), at least 0.9×: ${workerRatio.toFixed(2)}× (on BullMQ jobs ${median(pairedRatios("callback-jobs")).toFixed(2)}×)`);
    target(workers.handledBytes <= 512, `Redis bytes per handled callback, at most 512: ${Math.round(workers.handledBytes)}`);
    target(sound, "lost 0 and doubled 0 in every row, every queue drained");
    for (const name of undrained) console.log(`  FAILED: ${name}: the queue did not drain within ${DRAIN_MS / 1000} s`);
    return sound;
  } finally {
    client.disconnect();
    await redisServer.remove();
  }
}
