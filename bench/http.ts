/**
 * `npm run bench:http`: the receiver section, then the inbox section (bench/http-inbox.ts); `tsx bench/http.ts
 * receiver` or `… inbox` runs one. The receiver section: the callback listener under load on loopback, beside
 * the floor of a bare node:http server that only JSON.parses the body. Fair: the server runs in a process of
 * its own pinned to one core and the load generator (wrk, 64 connections) on another (bench/http-load.ts says
 * what it falls back to when taskset, wrk or a second core is missing). Each request carries a fresh JobId,
 * so dedup never drops one. Reports, per server: req/s, p50/p99, the server's CPU µs per request from its own
 * accounting over the measured window and the share of its core it got, and lost/doubled (every 2xx answer
 * must match exactly one handler call, or the exit code is 1); then the listener's CPU per request over the
 * bare server's, with the targets met or NOT MET. Then the cost of metrics: the listener (JSON) without and with an
 * OpenTelemetry MeterProvider, over HTTP alternately in BENCH_METRICS_PAIRS pairs (default 3), and in one
 * process through `handle()` in alternating rounds (bench/metrics-cost.ts); the medians of the ratios against
 * the 5% target. BENCH_SECONDS (default 4) and BENCH_CONNECTIONS (default
 * 64) tune a run, of every section.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { inboxSection } from "./http-inbox";
import type { MetricsCost } from "./metrics-cost";
import { describeLoad, loadSetup, machineState, measureRun, printTable, seconds, seedBody, startServer, stopProcess, type BenchBody, type LoadSetup, type Run } from "./http-load";

async function measure(setup: LoadSetup, mode: "listener" | "listener-metrics" | "bare", body: BenchBody): Promise<Run> {
  const server = await startServer(join(__dirname, "http-server.ts"), [mode], setup.serverCore);
  try {
    return await measureRun(setup, server, body);
  } finally {
    await stopProcess(server);
  }
}

/** The receiver section: the bare server and the listener with XML and JSON. Resolves to false when a delivery was lost or doubled. */
export async function receiverSection(setup: LoadSetup = loadSetup()): Promise<boolean> {
  const [xml, json] = [seedBody("xml"), seedBody("json")];
  const pinning = setup.serverCore === undefined ? "not pinned" : `server on core ${setup.serverCore}, load on core ${setup.clientCore}`;
  console.log(`bench:http  ${seconds} s per server after a 1 s warm-up; ${describeLoad(setup)}; ${pinning}; loopback; ${machineState()}`);
  for (const note of setup.notes) console.log(`  note: ${note}`);

  const runs: [string, Run][] = [
    ["bare node:http + JSON.parse (seed JSON)", await measure(setup, "bare", json)],
    ["createCallbackListener (seed XML)", await measure(setup, "listener", xml)],
    ["createCallbackListener (seed JSON)", await measure(setup, "listener", json)],
  ];
  printTable(
    ["server", "req/s", "p50 ms", "p99 ms", "server CPU µs/request", "server's core used", "lost", "doubled", "non-2xx/errors"],
    runs.map(([name, r]) => [name, Math.round(r.requestsPerSecond), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.cpuUsPerRequest.toFixed(1), r.coreUsed.toFixed(2), r.lost, r.doubled, r.failures]),
  );

  console.log("\ntargets (receiver):");
  const [[, bare], [, listenerXml], [, listenerJson]] = runs as [[string, Run], [string, Run], [string, Run]];
  for (const [form, row, limit] of [["XML", listenerXml, 3], ["JSON", listenerJson, 2]] as const) {
    const ratio = row.cpuUsPerRequest / bare.cpuUsPerRequest;
    console.log(`  ${ratio <= limit ? "met    " : "NOT MET"}  listener CPU per request / bare server's, ${form}, at most ${limit}×: ${ratio.toFixed(2)}×`);
  }
  const metricRuns = await metricsCost(setup, json);
  const sound = [...runs, ...metricRuns].every(([, r]) => r.lost === 0 && r.doubled === 0 && r.failures === 0);
  console.log(sound ? "  every 2xx answer matched exactly one handler call" : "  FAILED: a delivery was lost or doubled, or answered other than 2xx");
  return sound;
}

/** Most the metrics may add to the listener's CPU per request. */
const METRICS_COST_LIMIT = 1.05;

/**
 * The listener without and with metrics, one after the other in pairs (the order alternating), since runs a
 * minute apart on a shared machine differ by more than the cost measured; prints each pair and the median ratio.
 */
async function metricsCost(setup: LoadSetup, body: BenchBody): Promise<[string, Run][]> {
  const pairs = Number(process.env.BENCH_METRICS_PAIRS ?? "3");
  const runs: [string, Run][] = [];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? (["listener", "listener-metrics"] as const) : (["listener-metrics", "listener"] as const);
    const pair = new Map<string, Run>();
    for (const mode of order) pair.set(mode, await measure(setup, mode, body));
    const [off, on] = [pair.get("listener") as Run, pair.get("listener-metrics") as Run];
    runs.push([`pair ${i + 1}: metrics off (no meter provider)`, off], [`pair ${i + 1}: metrics on (SDK MeterProvider)`, on]);
    ratios.push(on.cpuUsPerRequest / off.cpuUsPerRequest);
  }
  console.log(`\nmetrics cost: createCallbackListener (seed JSON), without and with an OpenTelemetry MeterProvider, ${pairs} pairs side by side`);
  printTable(
    ["server", "req/s", "p50 ms", "p99 ms", "server CPU µs/request", "server's core used", "lost", "doubled", "non-2xx/errors"],
    runs.map(([name, r]) => [name, Math.round(r.requestsPerSecond), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.cpuUsPerRequest.toFixed(1), r.coreUsed.toFixed(2), r.lost, r.doubled, r.failures]),
  );
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? Number.NaN;
  console.log(`  pairs' ratios (on / off): ${ratios.map((r) => `${r.toFixed(3)}×`).join(", ")}`);
  const inProcess = metricsCostInProcess(setup);
  console.log(
    `  in one process, handle() alone, median of ${inProcess.rounds} alternating rounds of 2000: ${inProcess.offUs.toFixed(1)} µs off, ` +
      `${inProcess.onUs.toFixed(1)} µs on per delivery`,
  );
  console.log(`  the metrics' own work a delivery, timed alone: ${inProcess.aloneUs.toFixed(2)} µs`);
  const estimates = [
    ["over HTTP, median of the pairs", median],
    ["in one process (handle() alone), median of the rounds", inProcess.ratio],
    ["the metrics' own work over the listener's in-process CPU without them", 1 + inProcess.aloneUs / inProcess.offUs],
  ] as const;
  for (const [how, ratio] of estimates) {
    const met = ratio <= METRICS_COST_LIMIT;
    console.log(`  ${met ? "met    " : "NOT MET"}  listener CPU per request with metrics / without, ${how}, at most ${METRICS_COST_LIMIT}×: ${ratio.toFixed(3)}×`);
  }
  return runs;
}

/** bench/metrics-cost.ts in a process of its own, on the server's core when there is one. */
function metricsCostInProcess(setup: LoadSetup): MetricsCost {
  const node = [process.execPath, "--require", "tsx/cjs", join(__dirname, "metrics-cost.ts")];
  const [command, ...args] = setup.serverCore === undefined ? node : ["taskset", "-c", setup.serverCore, ...node];
  return JSON.parse(execFileSync(command as string, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })) as MetricsCost;
}

async function main(sections: string[]): Promise<boolean> {
  const setup = loadSetup();
  let sound = true;
  if (sections.length === 0 || sections.includes("receiver")) sound = (await receiverSection(setup)) && sound;
  if (sections.length === 0 || sections.includes("inbox")) sound = (await inboxSection(setup)) && sound;
  return sound;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (sound) => {
      process.exitCode = sound ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
