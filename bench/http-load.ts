/**
 * The parts of a fair HTTP benchmark, for every section of `npm run bench:http`: a server in a process of its
 * own pinned to one core, a load generator pinned to another (wrk with a Lua script that gives each request a
 * fresh JobId; autocannon in this process when wrk is missing), the server's own CPU accounting over the
 * measured window (and that of any other part a section meters), and the check that every 2xx answer matches
 * exactly one handler call. {@link measureRun} is the one load/measure path the sections share; the processes
 * it talks to answer through bench/http-child.ts.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";

/** The placeholder a body template carries where each request's JobId goes. */
export const JOB_ID_PLACEHOLDER = "@JOBID@";

/** Seconds of measured load per run (BENCH_SECONDS), and the load generator's connections (BENCH_CONNECTIONS). */
export const seconds = Number(process.env.BENCH_SECONDS ?? "4");
export const connections = Number(process.env.BENCH_CONNECTIONS ?? "64");

/** How load is generated on this machine, and what was missing. */
export interface LoadSetup {
  /** The core the server is pinned to, and the load generator's; undefined when not pinned. */
  serverCore: string | undefined;
  clientCore: string | undefined;
  wrk: boolean;
  /** Why the setup is less than fair, in a sentence each. */
  notes: string[];
}

/** Finds taskset, wrk and two cores this process may run on. */
export function loadSetup(): LoadSetup {
  const notes: string[] = [];
  const wrk = found("wrk", ["--version"]);
  if (!wrk) notes.push("wrk not found (Debian: apt-get install wrk): autocannon runs in this process instead");
  let cores: string[] = [];
  if (found("taskset", ["--version"])) {
    // "pid 123's current affinity list: 0,1" or "0-3".
    const list = execFileSync("taskset", ["-pc", String(process.pid)], { encoding: "utf8" }).split(":").pop()?.trim() ?? "";
    cores = list.split(",").flatMap((part) => {
      const [from, to] = part.split("-").map(Number) as [number, number | undefined];
      return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => String(from + i));
    });
    if (cores.length < 2) notes.push(`only ${cores.length} core to run on: server and load generator share it`);
  } else notes.push("taskset not found (util-linux): server and load generator are not pinned");
  const pinned = cores.length >= 2;
  return { serverCore: pinned ? cores[0] : undefined, clientCore: pinned ? cores[1] : undefined, wrk, notes };
}

function found(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing command is missing.
    return !(error instanceof Error && "code" in error && error.code === "ENOENT");
  }
}

/** What loads the servers, for a section's heading. */
export function describeLoad(setup: LoadSetup): string {
  return setup.wrk ? `wrk, 1 thread, ${connections} connections` : `autocannon in this process, ${connections} connections`;
}

/** The cores this machine has and its load average now, for a section's heading. */
export function machineState(): string {
  return `${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(2)}`;
}

/** A process of the bench's own (a server, a worker), spoken to over IPC. */
export interface BenchProcess {
  child: ChildProcess;
}

/** A server in a process of its own. */
export interface BenchServer extends BenchProcess {
  port: number;
}

/**
 * Starts `script` (TypeScript, run through tsx) with `args`, pinned to `core` when given, and resolves once it
 * sends its first message. The script answers the messages of bench/http-child.ts.
 */
export function startProcess(script: string, args: string[], core: string | undefined): Promise<BenchProcess & { hello: unknown }> {
  const node = [process.execPath, "--require", "tsx/cjs", script, ...args];
  const [command, ...rest] = core === undefined ? node : ["taskset", "-c", core, ...node];
  const child = spawn(command as string, rest, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    child.once("message", (hello) => resolve({ child, hello }));
  });
}

/** Starts a server script (see {@link startProcess}) that sends `{ port }` once listening. */
export async function startServer(script: string, args: string[], core: string | undefined): Promise<BenchServer> {
  const { child, hello } = await startProcess(script, args, core);
  return { child, port: (hello as { port: number }).port };
}

/** Sends `question` and resolves with the next message. */
export function ask<T>(child: ChildProcess, question: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(question);
  });
}

/** Stops a process of {@link startProcess} and waits for it to end. */
export function stopProcess({ child }: BenchProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.send("stop");
  });
}

/** What the load generator POSTs: a template with {@link JOB_ID_PLACEHOLDER} where the JobId goes. */
export interface BenchBody {
  template: string;
  contentType: string;
}

/** The seed callback (VideoEnhance, case 2 as XML, case 3 as JSON) as a template. */
export function seedBody(form: "xml" | "json"): BenchBody {
  const file = join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance", form === "xml" ? "seed-2.xml" : "seed-3.json");
  const template = readFileSync(file, "utf8").replace("j7d0eafdaf86c11ecbdf419856486c0ab", JOB_ID_PLACEHOLDER);
  return { template, contentType: form === "xml" ? "application/xml" : "application/json" };
}

/** What one load run saw from the client's side. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, and socket errors or timeouts. */
  failures: number;
  /** The JobId of each 2xx answer. */
  answered: string[];
}

/** POSTs `body` for `seconds`, a fresh JobId `prefix…` per request. */
export function load(setup: LoadSetup, port: number, { template, contentType }: BenchBody, seconds: number, connections: number, prefix: string): Promise<LoadResult> {
  return setup.wrk ? loadWithWrk(setup, port, template, contentType, seconds, connections, prefix) : loadWithAutocannon(setup, port, template, contentType, seconds, connections, prefix);
}

function loadWithWrk(setup: LoadSetup, port: number, template: string, contentType: string, seconds: number, connections: number, prefix: string): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "ci-callback-wrk-"));
  const bodyFile = join(dir, "body");
  const answeredFile = join(dir, "answered");
  writeFileSync(bodyFile, template);
  const wrkArgs = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", join(__dirname, "wrk-fresh-jobid.lua"), `http://127.0.0.1:${port}/ci/callback`];
  const [command, ...args] = setup.clientCore === undefined ? ["wrk", ...wrkArgs] : ["taskset", "-c", setup.clientCore, "wrk", ...wrkArgs];
  const env = { ...process.env, WRK_BODY_FILE: bodyFile, WRK_ANSWERED_FILE: answeredFile, WRK_JOB_PREFIX: prefix, WRK_CONTENT_TYPE: contentType };
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(command as string, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      try {
        const line = out.trim().split("\n").pop() ?? "";
        if (code !== 0 || !line.startsWith("{")) throw new Error(`wrk exited ${code}: ${out}`);
        const r = JSON.parse(line) as { requests: number; durationUs: number; non2xx: number; socketErrors: number; p50Us: number; p99Us: number };
        const answered = readFileSync(answeredFile, "utf8").split("\n").filter((id) => id !== "");
        resolve({ requestsPerSecond: r.requests / (r.durationUs / 1e6), p50Ms: r.p50Us / 1000, p99Ms: r.p99Us / 1000, failures: r.non2xx + r.socketErrors, answered });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function loadWithAutocannon(setup: LoadSetup, port: number, template: string, contentType: string, seconds: number, connections: number, prefix: string): Promise<LoadResult> {
  // autocannon runs in this process: pinned to the client's core, all its threads.
  if (setup.clientCore !== undefined) execFileSync("taskset", ["-a", "-pc", setup.clientCore, String(process.pid)], { stdio: "ignore" });
  const answered: string[] = [];
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/ci/callback`,
    connections,
    duration: seconds,
    headers: { "content-type": contentType },
    requests: [
      {
        method: "POST",
        setupRequest: (request, context) => {
          const jobId = `${prefix}${next++}`;
          (context as { jobId?: string }).jobId = jobId;
          return { ...request, body: template.replace(JOB_ID_PLACEHOLDER, jobId) };
        },
        onResponse: (status, _body, context) => {
          if (status >= 200 && status < 300) answered.push((context as { jobId: string }).jobId);
        },
      },
    ],
  });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts, answered };
}

/** CPU time a part of the system spends over a window, from its own accounting. */
export interface CpuMeter {
  start(): Promise<void>;
  /** The CPU µs since `start`. */
  stop(): Promise<number>;
}

/** The CPU meter of a process of {@link startProcess} (its process.cpuUsage over the window). */
export function processMeter({ child }: BenchProcess): CpuMeter {
  return {
    start: async () => {
      await ask(child, "window-start");
    },
    stop: async () => (await ask<{ cpuUs: number }>(child, "window-stop")).cpuUs,
  };
}

/** The handler calls of a process of {@link startProcess}, by JobId. */
export async function handlerCalls({ child }: BenchProcess): Promise<Map<string, number>> {
  const { calls } = await ask<{ calls: [string, number][] }>(child, "calls");
  return new Map(calls);
}

/** Who handles what the server acknowledges, when it is not the server itself in the request. */
export interface Handling {
  /** Resolves once everything stored so far is handled, or false when it gave up waiting (bounded). */
  settle(): Promise<boolean>;
  /** The handler calls by JobId. */
  calls(): Promise<Map<string, number>>;
  /** Called after the warm-up has settled, before the measured load. */
  beforeLoad?(): Promise<void>;
}

/** How {@link measureRun} loads a server. */
export interface RunOptions {
  /** Default: the server's handlers, done when the answer is. */
  handling?: Handling;
  /** Other parts whose CPU time counts, over the load and the settling after it, by name. */
  meters?: Record<string, CpuMeter>;
}

/** One measured run, as every section reports it. */
export interface Run {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's CPU µs per answer over the load. */
  cpuUsPerRequest: number;
  /** The server's CPU time over the load's wall time: the share of a core it got. */
  coreUsed: number;
  /** Each meter's CPU µs per server answer, over the load and the settling after it. */
  meteredUsPerRequest: Record<string, number>;
  /** Answers 2xx. */
  acknowledged: number;
  /** JobIds handled at least once. */
  handled: number;
  lost: number;
  doubled: number;
  /** Handled, but the end of the load cut the answer off: not acknowledged, so not lost. */
  unanswered: number;
  /** Answers other than 2xx, and socket errors or timeouts. */
  failures: number;
  /** Whether everything stored was handled before {@link Handling.settle} gave up. */
  settled: boolean;
}

/**
 * The shared load/measure path: a 1 s warm-up (JIT; not measured), settled; then {@link seconds} of load with the
 * server's CPU over the load and the meters' over the load and the settling after it; then every 2xx
 * answer matched with the handler calls.
 */
export async function measureRun(setup: LoadSetup, server: BenchServer, body: BenchBody, options: RunOptions = {}): Promise<Run> {
  const handling = options.handling ?? { settle: async () => true, calls: () => handlerCalls(server) };
  const meters = Object.entries(options.meters ?? {});
  await load(setup, server.port, body, 1, connections, "warm-");
  await handling.settle(); // the warm-up's backlog is not the window's
  await handling.beforeLoad?.();
  await Promise.all(meters.map(([, meter]) => meter.start()));
  await ask(server.child, "window-start");
  const startedAt = performance.now();
  const result = await load(setup, server.port, body, seconds, connections, "job-");
  const wallUs = (performance.now() - startedAt) * 1000;
  const { cpuUs, answers } = await ask<{ cpuUs: number; answers: number }>(server.child, "window-stop");
  const settled = await handling.settle();
  const metered = await Promise.all(meters.map(async ([name, meter]) => [name, (await meter.stop()) / Math.max(answers, 1)] as const));
  const { lost, doubled, calls, unanswered } = delivery(result.answered, await handling.calls(), "job-");
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    cpuUsPerRequest: cpuUs / Math.max(answers, 1),
    coreUsed: cpuUs / wallUs,
    meteredUsPerRequest: Object.fromEntries(metered),
    acknowledged: result.answered.length,
    handled: calls,
    lost,
    doubled,
    unanswered,
    failures: result.failures,
    settled,
  };
}

/** Prints a Markdown table. */
export function printTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  console.log(`\n| ${header.join(" | ")} |`);
  console.log(`| ${header.map(() => "---").join(" | ")} |`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

/** Every 2xx answer must match exactly one handler call: `lost` answered without a call, `doubled` called twice. */
export function delivery(answered: readonly string[], calls: ReadonlyMap<string, number>, prefix: string): { lost: number; doubled: number; calls: number; unanswered: number } {
  const measured = [...calls].filter(([id]) => id.startsWith(prefix));
  const lost = answered.filter((id) => calls.get(id) === undefined).length;
  const doubled = measured.filter(([, count]) => count > 1).length;
  const answeredIds = new Set(answered);
  const unanswered = measured.filter(([id]) => !answeredIds.has(id)).length;
  return { lost, doubled, calls: measured.length, unanswered };
}
