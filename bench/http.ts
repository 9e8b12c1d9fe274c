/**
 * `npm run bench:http`: the callback listener under load on loopback, beside the floor of a bare node:http
 * server that only JSON.parses the body. Fair: the server runs in a process of its own pinned to one core and
 * the load generator (wrk, 64 connections) on another (bench/http-load.ts says what it falls back to when
 * taskset, wrk or a second core is missing). Each request carries a fresh JobId, so dedup never drops one.
 * Reports, per server: req/s, p50/p99, the server's CPU µs per request from its own accounting over the
 * measured window, and lost/doubled (every 2xx answer must match exactly one handler call, or the exit code
 * is 1); then the listener's CPU per request over the bare server's, with the targets met or NOT MET.
 * BENCH_SECONDS (default 4) and BENCH_CONNECTIONS (default 64) tune a run.
 *
 * {@link receiverSection} is one section; a script that chains more runs them one after the other.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuWindow, delivery, handlerCalls, JOB_ID_PLACEHOLDER, load, loadSetup, startServer, stopServer, type LoadSetup } from "./http-load";

const examples = join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance");
const seedJobId = "j7d0eafdaf86c11ecbdf419856486c0ab";
const seconds = Number(process.env.BENCH_SECONDS ?? "4");
const connections = Number(process.env.BENCH_CONNECTIONS ?? "64");

/** One server's run. */
interface Row {
  server: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  lost: number;
  doubled: number;
  failures: number;
}

async function measure(setup: LoadSetup, name: string, mode: "listener" | "bare", template: string, contentType: string): Promise<Row> {
  const server = await startServer(join(__dirname, "http-server.ts"), [mode], setup.serverCore);
  try {
    await load(setup, server.port, template, contentType, 1, connections, "warm-"); // JIT warm-up, not measured
    const { result, cpuUs, answers } = await cpuWindow(server, () => load(setup, server.port, template, contentType, seconds, connections, "job-"));
    const { lost, doubled } = delivery(result.answered, await handlerCalls(server), "job-");
    return { server: name, requestsPerSecond: result.requestsPerSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, cpuUsPerRequest: cpuUs / Math.max(answers, 1), lost, doubled, failures: result.failures };
  } finally {
    await stopServer(server);
  }
}

/** The receiver section: the bare server and the listener with XML and JSON. Resolves to false when a delivery was lost or doubled. */
export async function receiverSection(setup: LoadSetup = loadSetup()): Promise<boolean> {
  const xml = readFileSync(join(examples, "seed-2.xml"), "utf8").replace(seedJobId, JOB_ID_PLACEHOLDER);
  const json = readFileSync(join(examples, "seed-3.json"), "utf8").replace(seedJobId, JOB_ID_PLACEHOLDER);
  const generator = setup.wrk ? `wrk, 1 thread, ${connections} connections` : `autocannon in this process, ${connections} connections`;
  const pinning = setup.serverCore === undefined ? "not pinned" : `server on core ${setup.serverCore}, load on core ${setup.clientCore}`;
  console.log(`bench:http  ${seconds} s per server after a 1 s warm-up; ${generator}; ${pinning}; loopback`);
  for (const note of setup.notes) console.log(`  note: ${note}`);

  const bare = await measure(setup, "bare node:http + JSON.parse (seed JSON)", "bare", json, "application/json");
  const listenerXml = await measure(setup, "createCallbackListener (seed XML)", "listener", xml, "application/xml");
  const listenerJson = await measure(setup, "createCallbackListener (seed JSON)", "listener", json, "application/json");
  const rows = [bare, listenerXml, listenerJson];
  console.log("\n| server | req/s | p50 ms | p99 ms | server CPU µs/request | lost | doubled | non-2xx/errors |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(`| ${r.server} | ${Math.round(r.requestsPerSecond)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.cpuUsPerRequest.toFixed(1)} | ${r.lost} | ${r.doubled} | ${r.failures} |`);
  }

  console.log("\ntargets (receiver):");
  for (const [form, row, limit] of [["XML", listenerXml, 3], ["JSON", listenerJson, 2]] as const) {
    const ratio = row.cpuUsPerRequest / bare.cpuUsPerRequest;
    console.log(`  ${ratio <= limit ? "met    " : "NOT MET"}  listener CPU per request / bare server's, ${form}, at most ${limit}×: ${ratio.toFixed(2)}×`);
  }
  const sound = rows.every((r) => r.lost === 0 && r.doubled === 0 && r.failures === 0);
  console.log(sound ? "  every 2xx answer matched exactly one handler call" : "  FAILED: a delivery was lost or doubled, or answered other than 2xx");
  return sound;
}

if (require.main === module) {
  receiverSection().then(
    (sound) => {
      process.exitCode = sound ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
