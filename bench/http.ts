/**
 * `npm run bench:http`: the receiver section, then the inbox section (bench/http-inbox.ts); `tsx bench/http.ts
 * receiver` or `… inbox` runs one. The receiver section: the callback listener under load on loopback, beside
 * the floor of a bare node:http server that only JSON.parses the body. Fair: the server runs in a process of
 * its own pinned to one core and the load generator (wrk, 64 connections) on another (bench/http-load.ts says
 * what it falls back to when taskset, wrk or a second core is missing). Each request carries a fresh JobId,
 * so dedup never drops one. Reports, per server: req/s, p50/p99, the server's CPU µs per request from its own
 * accounting over the measured window and the share of its core it got, and lost/doubled (every 2xx answer
 * must match exactly one handler call, or the exit code is 1); then the listener's CPU per request over the
 * bare server's, with the targets met or NOT MET. BENCH_SECONDS (default 4) and BENCH_CONNECTIONS (default
 * 64) tune a run, of every section.
 */
import { join } from "node:path";
import { inboxSection } from "./http-inbox";
import { describeLoad, loadSetup, machineState, measureRun, printTable, seconds, seedBody, startServer, stopProcess, type BenchBody, type LoadSetup, type Run } from "./http-load";

async function measure(setup: LoadSetup, mode: "listener" | "bare", body: BenchBody): Promise<Run> {
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
  const sound = runs.every(([, r]) => r.lost === 0 && r.doubled === 0 && r.failures === 0);
  console.log(sound ? "  every 2xx answer matched exactly one handler call" : "  FAILED: a delivery was lost or doubled, or answered other than 2xx");
  return sound;
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
