/**
 * The parts of a fair HTTP benchmark, for `npm run bench:http` and any section chained after it: a server in
 * a process of its own pinned to one core, a load generator pinned to another (wrk with a Lua script that
 * gives each request a fresh JobId; autocannon in this process when wrk is missing), the server's own CPU
 * accounting over the measured window, and the check that every 2xx answer matches exactly one handler call.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

/** The placeholder a body template carries where each request's JobId goes. */
export const JOB_ID_PLACEHOLDER = "@JOBID@";

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

/** A server in a process of its own, spoken to over IPC. */
export interface BenchServer {
  child: ChildProcess;
  port: number;
}

/**
 * Starts `script` (TypeScript, run through tsx) with `args`, pinned to `core` when given. The script sends
 * `{ port }` once listening and answers the messages of {@link cpuWindow} and {@link handlerCalls}.
 */
export function startServer(script: string, args: string[], core: string | undefined): Promise<BenchServer> {
  const node = [process.execPath, "--require", "tsx/cjs", script, ...args];
  const [command, ...rest] = core === undefined ? node : ["taskset", "-c", core, ...node];
  const child = spawn(command as string, rest, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.once("message", (message) => resolve({ child, port: (message as { port: number }).port }));
  });
}

/** Sends `question` and resolves with the next message. */
export function ask<T>(child: ChildProcess, question: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(question);
  });
}

/** Stops a server and waits for its process to end. */
export function stopServer(server: BenchServer): Promise<void> {
  return new Promise((resolve) => {
    server.child.removeAllListeners("exit");
    server.child.once("exit", () => resolve());
    server.child.send("stop");
  });
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

/** POSTs `template` (with {@link JOB_ID_PLACEHOLDER}) for `seconds`, a fresh JobId `prefix…` per request. */
export function load(setup: LoadSetup, port: number, template: string, contentType: string, seconds: number, connections: number, prefix: string): Promise<LoadResult> {
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

/** The server's CPU time and answers over a window: call `start` before the load and `stop` after it. */
export async function cpuWindow<T>(server: BenchServer, during: () => Promise<T>): Promise<{ result: T; cpuUs: number; answers: number }> {
  await ask(server.child, "window-start");
  const result = await during();
  const { cpuUs, answers } = await ask<{ cpuUs: number; answers: number }>(server.child, "window-stop");
  return { result, cpuUs, answers };
}

/** The server's handler calls by JobId. */
export async function handlerCalls(server: BenchServer): Promise<Map<string, number>> {
  const { calls } = await ask<{ calls: [string, number][] }>(server.child, "calls");
  return new Map(calls);
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
