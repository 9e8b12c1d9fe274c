/**
 * `npm run fuzz`: the fuzz property of fuzz.test.ts at length, in a worker thread that the main thread watches
 * for hangs. Environment: FUZZ_RUNS (default 100,000), FUZZ_SEED (default: a fresh one, printed), FUZZ_PATH
 * (replay one failing run fast-check reported), FUZZ_STALL_SECONDS (default 30: no progress that long is a
 * hang), FUZZ_SLOW_MS (default 1,000: a body the package reads slower than that fails the run). Exit code 1 on any failure.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { parseCallback } from "../../src";
import { checkBody, fuzzBody } from "./mutations";

interface Settings {
  runs: number;
  seed: number;
  path: string | undefined;
  slowMs: number;
  /** Int32Array view: [0] runs started so far. */
  progress: SharedArrayBuffer;
}

interface Report {
  failure?: string;
  slowest: { ms: number; bytes: number };
  valid: number;
}

if (isMainThread) {
  const settings: Settings = {
    runs: Number(process.env.FUZZ_RUNS ?? 100_000),
    seed: Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31)),
    path: process.env.FUZZ_PATH,
    slowMs: Number(process.env.FUZZ_SLOW_MS ?? 1000),
    progress: new SharedArrayBuffer(4),
  };
  const stallSeconds = Number(process.env.FUZZ_STALL_SECONDS ?? 30);
  const progress = new Int32Array(settings.progress);
  const started = Date.now();
  console.log(
    `fuzzing ${settings.runs} mutated reference callbacks, seed ${settings.seed}${settings.path ? `, path ${settings.path}` : ""}`,
  );

  // The worker runs this file too, through tsx as the main thread does.
  const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: settings,
  });
  let last = -1;
  let lastChange = Date.now();
  const watchdog = setInterval(() => {
    const done = Atomics.load(progress, 0);
    if (done !== last) {
      if (Math.floor(done / 10_000) !== Math.floor(last / 10_000))
        console.log(`  ${done} runs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      last = done;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallSeconds * 1000) {
      console.error(
        `HANG: run ${done - 1} made no progress for ${stallSeconds} s; replay: FUZZ_SEED=${settings.seed} FUZZ_PATH=${done - 1}`,
      );
      void worker.terminate();
      process.exitCode = 1;
    }
  }, 1000);
  worker.on("message", (report: Report) => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${Atomics.load(progress, 0)} runs in ${seconds} s; ${report.valid} bodies were valid callbacks; slowest for the package: ${report.slowest.ms.toFixed(1)} ms (${report.slowest.bytes} bytes)`,
    );
    if (report.failure) {
      console.error(report.failure);
      process.exitCode = 1;
    }
  });
  worker.on("error", (error) => {
    console.error(error);
    process.exitCode = 1;
  });
  worker.on("exit", () => clearInterval(watchdog));
} else {
  const settings = workerData as Settings;
  const progress = new Int32Array(settings.progress);
  const report: Report = { slowest: { ms: 0, bytes: 0 }, valid: 0 };
  const details = fc.check(
    fc.property(fuzzBody, (body) => {
      Atomics.add(progress, 0, 1);
      // Timed: the package's own reading (the xml-js reader, compared in checkBody, is known to be slow).
      const start = performance.now();
      try {
        parseCallback(body);
      } catch {
        // checkBody tells a CallbackError from anything else
      }
      const ms = performance.now() - start;
      if (ms > report.slowest.ms) report.slowest = { ms, bytes: body.length };
      if (ms > settings.slowMs) throw new Error(`a ${body.length}-byte body took ${ms.toFixed(0)} ms`);
      if (checkBody(body)) report.valid++;
    }),
    { seed: settings.seed, numRuns: settings.runs, path: settings.path, endOnFailure: true },
  );
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    report.failure = `${fc.defaultReportMessage(details) ?? "failed"}\nCaused by: ${cause}`;
  }
  parentPort?.postMessage(report);
}
