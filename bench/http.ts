/**
 * `npm run bench:http`: the callback listener under load on loopback, beside the floor of a bare node:http
 * server that only JSON.parses the body. autocannon POSTs the seed callback (XML to the listener, JSON to
 * the bare server; then JSON to the listener too) with a fresh JobId per request, so dedup never drops one,
 * and checks that every 2xx answer of the listener matches exactly one handler call: lost = 0 and
 * doubled = 0, or the exit code is 1.
 * BENCH_SECONDS (default 4) and BENCH_CONNECTIONS (default 10) tune a run.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";

const examples = join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance");
const seedJobId = "j7d0eafdaf86c11ecbdf419856486c0ab";
const seconds = Number(process.env.BENCH_SECONDS ?? "4");
const connections = Number(process.env.BENCH_CONNECTIONS ?? "10");

interface Server {
  child: ChildProcess;
  port: number;
}

interface Measured {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  answers2xx: number;
  otherAnswers: number;
  /** JobIds answered 2xx. */
  answered: string[];
}

function startServer(mode: "listener" | "bare"): Promise<Server> {
  const child = fork(join(__dirname, "http-server.ts"), [mode], { execArgv: ["--require", "tsx/cjs"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (message) => resolve({ child, port: (message as { port: number }).port }));
  });
}

function ask<T>(child: ChildProcess, question: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(question);
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.child.once("exit", () => resolve());
    server.child.send("stop");
  });
}

/** One autocannon run; each request gets the next JobId, and 2xx answers are noted by JobId. */
async function load(name: string, port: number, template: string, runSeconds: number, prefix: string): Promise<Measured> {
  const answered: string[] = [];
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/ci/callback`,
    connections,
    duration: runSeconds,
    requests: [
      {
        method: "POST",
        setupRequest: (request, context) => {
          const jobId = `${prefix}${next++}`;
          (context as { jobId?: string }).jobId = jobId;
          return { ...request, body: template.replace(seedJobId, jobId) };
        },
        onResponse: (status, _body, context) => {
          if (status >= 200 && status < 300) answered.push((context as { jobId: string }).jobId);
        },
      },
    ],
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    answers2xx: result["2xx"],
    otherAnswers: result.non2xx + result.errors + result.timeouts,
    answered,
  };
}

async function measure(mode: "listener" | "bare", template: string): Promise<{ measured: Measured; calls: Map<string, number> }> {
  const server = await startServer(mode);
  try {
    await load(mode, server.port, template, 1, "warm-"); // JIT warm-up, not measured
    const measured = await load(mode, server.port, template, seconds, "job-");
    const { calls } = await ask<{ calls: [string, number][] }>(server.child, "calls");
    return { measured, calls: new Map(calls.filter(([id]) => id.startsWith("job-"))) };
  } finally {
    await stop(server);
  }
}

async function main(): Promise<number> {
  const xml = readFileSync(join(examples, "seed-2.xml"), "utf8");
  const json = readFileSync(join(examples, "seed-3.json"), "utf8");
  console.log(`bench:http  ${seconds} s per server after a 1 s warm-up, ${connections} connections, loopback`);
  const listener = await measure("listener", xml);
  const bare = await measure("bare", json);
  // The listener on the JSON form too, to tell the XML reader's share from the listener's own.
  const listenerJson = await measure("listener", json);

  const names = ["createCallbackListener (seed XML)", "bare node:http + JSON.parse (seed JSON)", "createCallbackListener (seed JSON)"];
  const rows = [listener.measured, bare.measured, listenerJson.measured].map((m, i) => ({
    server: names[i],
    "req/s": Math.round(m.requestsPerSecond),
    "p50 ms": m.p50,
    "p99 ms": m.p99,
    "2xx": m.answers2xx,
    "non-2xx/errors": m.otherAnswers,
  }));
  console.table(rows);
  const ratio = listener.measured.requestsPerSecond / bare.measured.requestsPerSecond;
  const jsonRatio = listenerJson.measured.requestsPerSecond / bare.measured.requestsPerSecond;
  console.log(`ratio listener (XML) / bare: ${ratio.toFixed(2)}; listener (JSON) / bare: ${jsonRatio.toFixed(2)}`);

  let failed = false;
  for (const [form, run] of [["XML", listener], ["JSON", listenerJson]] as const) {
    // Every 2xx answer must match exactly one handler call.
    const { calls, measured } = run;
    const lost = measured.answered.filter((id) => calls.get(id) === undefined).length;
    const doubled = [...calls.values()].filter((count) => count > 1).length;
    const answeredIds = new Set(measured.answered);
    const unanswered = [...calls.keys()].filter((id) => !answeredIds.has(id)).length;
    console.log(
      `listener (${form}): handler calls ${calls.size}, 2xx answers ${measured.answered.length}, lost = ${lost}, doubled = ${doubled}` +
        ` (handled, answer cut off by the end of the run: ${unanswered})`,
    );
    failed ||= lost > 0 || doubled > 0 || measured.otherAnswers > 0;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
