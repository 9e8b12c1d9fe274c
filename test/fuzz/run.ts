/**
 * `npm run fuzz`: the fuzz properties of fuzz.test.ts at length, in a worker thread that the main thread watches
 * for hangs. Environment: FUZZ_RUNS (default 100,000), FUZZ_SEED (default: a fresh one, printed), FUZZ_PATH
 * (replay one failing run fast-check reported), FUZZ_STALL_SECONDS (default 30: no progress that long is a
 * hang), FUZZ_SLOW_MS (default 1,000: a body the package reads slower than that fails the run), FUZZ_TARGET
 * (`package`: mutated callbacks through the whole package, compared across every XML reader; `xml-readers`: the
 * differential fuzz of the strict reader against saxes, which runs about 20 times faster; default `all`: each
 * run one or the other, half and half). Exit code 1 on any failure.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { parseCallback } from "../../src";
import { readXml } from "../../src/read/xml-reader";
import { compareReaders, differentialBody } from "./differential";
import { checkBody, fuzzBody } from "./mutations";

const TARGETS = ["all", "package", "xml-readers"] as const;
type Target = (typeof TARGETS)[number];

/** One run's body: a callback for the package, or a body for the two XML readers. */
type Run = { package: Buffer } | { xml: string | Buffer; maxDepth: number };

function runs(target: Target): fc.Arbitrary<Run> {
  const forPackage = fuzzBody.map((body): Run => ({ package: body }));
  const forReaders = differentialBody.map(({ body, maxDepth }): Run => ({ xml: body, maxDepth }));
  if (target === "package") return forPackage;
  if (target === "xml-readers") return forReaders;
  return fc.oneof(forPackage, forReaders);
}

interface Settings {
  target: Target;
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
  /** Bodies the two XML readers were compared on, and how many of them both read (trees compared). */
  compared: number;
  accepted: number;
}

if (isMainThread) {
  const target = (process.env.FUZZ_TARGET ?? "all") as Target;
  if (!TARGETS.includes(target)) throw new Error(`FUZZ_TARGET must be one of ${TARGETS.join(", ")}`);
  const settings: Settings = {
    target,
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
    `fuzzing ${settings.runs} bodies (${target}), seed ${settings.seed}${settings.path ? `, path ${settings.path}` : ""}`,
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
      `${Atomics.load(progress, 0)} runs in ${seconds} s; ${report.valid} bodies were valid callbacks; ${report.compared} were compared between the strict XML reader and saxes (${report.accepted} read by both, their trees compared); slowest for the package: ${report.slowest.ms.toFixed(1)} ms (${report.slowest.bytes} bytes)`,
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
  const report: Report = { slowest: { ms: 0, bytes: 0 }, valid: 0, compared: 0, accepted: 0 };
  /** Runs `read` (the package's own reading), failing the run when it is slower than FUZZ_SLOW_MS. */
  const timed = (bytes: number, read: () => unknown) => {
    const start = performance.now();
    try {
      read();
    } catch {
      // checkBody and compareReaders tell a CallbackError from anything else
    }
    const ms = performance.now() - start;
    if (ms > report.slowest.ms) report.slowest = { ms, bytes };
    if (ms > settings.slowMs) throw new Error(`a ${bytes}-byte body took ${ms.toFixed(0)} ms`);
  };
  const details = fc.check(
    fc.property(runs(settings.target), (run) => {
      Atomics.add(progress, 0, 1);
      if ("package" in run) {
        // Timed: the package's own reading (the xml-js reader, compared in checkBody, is known to be slow).
        timed(run.package.length, () => parseCallback(run.package));
        if (checkBody(run.package)) report.valid++;
        return;
      }
      const { xml, maxDepth } = run;
      timed(xml.length, () => readXml(typeof xml === "string" ? xml : xml.toString(), { maxDepth }));
      const comparison = compareReaders(xml, maxDepth);
      if (comparison.difference !== undefined) throw new Error(comparison.difference);
      report.compared++;
      if (comparison.accepted) report.accepted++;
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
