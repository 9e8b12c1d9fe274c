/**
 * `npm run bench`, archive section: `ci-callback validate` over an archive of 100k callbacks (NDJSON, one body a
 * line: the seed's XML on one line, and its JSON), on the main thread (`--workers 1`) and on 2 workers, run as
 * users run it (the built CLI, output to /dev/null). Runs are interleaved and each setting's best kept (noise on
 * a shared machine only ever adds time). Then the main thread's share on 2 workers, measured in this process
 * through the same code: how busy its event loop is and how many cores the whole process used. Prints the
 * target, ratio ≥ 1.7×, as met or NOT MET.
 * BENCH_ARCHIVE_CALLBACKS (default 100000) and BENCH_ARCHIVE_ROUNDS (default 2) tune a run.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type * as ValidateArchiveModule from "../src/archive/validate-archive";

const repo = join(__dirname, "..");
const cli = join(repo, "dist", "src", "cli.js");
const { validateArchive } = require(join(repo, "dist", "src", "archive", "validate-archive.js")) as typeof ValidateArchiveModule;
const callbacks = Number(process.env.BENCH_ARCHIVE_CALLBACKS ?? 100_000);
const rounds = Number(process.env.BENCH_ARCHIVE_ROUNDS ?? 2);
const seedJobId = "j7d0eafdaf86c11ecbdf419856486c0ab";
const examples = join(repo, "test", "fixtures", "examples", "VideoEnhance");

/** Writes `callbacks` lines of `body`, each with a JobId of its own. */
function generate(file: string, body: string): void {
  const fd = openSync(file, "w");
  let text = "";
  for (let i = 0; i < callbacks; i++) {
    text += `${body.replace(seedJobId, `j${i}`)}\n`;
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = "";
    }
  }
  writeSync(fd, text);
  closeSync(fd);
}

/** Wall time in ms of the CLI over `file`; its exit code must be 0 (every generated callback is valid). */
function timeCli(file: string, workers: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, "validate", "--workers", String(workers), file], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`validate exited ${code}: ${stderr}`))));
  });
}

/** The main thread's share on 2 workers: event-loop utilisation and cores used by the process, over one run. */
async function mainThreadShare(file: string): Promise<{ rate: number; busy: number; cores: number }> {
  const loop = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const progress = await validateArchive([file], { strict: false, json: false, workers: 2, write: () => undefined });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    rate: ((progress.valid + progress.invalid) * 1000) / ms,
    busy: performance.eventLoopUtilization(loop).utilization,
    cores: (used.user + used.system) / 1000 / ms,
  };
}

async function main(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), "ci-callback-bench-archive-"));
  try {
    const xml = readFileSync(join(examples, "seed-2.xml"), "utf8").replace(/\r?\n\s*/g, "");
    const json = JSON.stringify(JSON.parse(readFileSync(join(examples, "seed-3.json"), "utf8")));
    const forms = [
      { name: "XML", file: join(dir, "xml.ndjson"), body: xml },
      { name: "JSON", file: join(dir, "json.ndjson"), body: json },
    ];
    for (const form of forms) generate(form.file, form.body);
    const load = loadavg()[0]?.toFixed(2);
    console.log(`\narchives: ${callbacks} callbacks a file (NDJSON), ${availableParallelism()} cores (load average ${load} before), best of ${rounds} interleaved rounds\n`);
    console.log("| archive | 1 thread, callbacks/s | 2 workers, callbacks/s | 2 workers / 1 thread | main thread busy on 2 workers | cores used |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    const ratios: { name: string; ratio: number }[] = [];
    let busiest = 0;
    for (const form of forms) {
      const best = { one: Infinity, two: Infinity };
      for (let round = 0; round < rounds; round++) {
        best.one = Math.min(best.one, await timeCli(form.file, 1));
        best.two = Math.min(best.two, await timeCli(form.file, 2));
      }
      const [one, two] = [(callbacks * 1000) / best.one, (callbacks * 1000) / best.two];
      const share = await mainThreadShare(form.file);
      ratios.push({ name: form.name, ratio: two / one });
      busiest = Math.max(busiest, share.cores);
      console.log(
        `| ${form.name} | ${Math.round(one)} | ${Math.round(two)} | ${(two / one).toFixed(2)}× | ${(share.busy * 100).toFixed(0)}% (${Math.round(share.rate)}/s in-process) | ${share.cores.toFixed(2)} |`,
      );
    }
    if (busiest < 1.5) {
      // 2 workers and the main thread got less than 1.5 cores: the machine was busy with other work.
      console.log(`\nnote: on 2 workers the process got at most ${busiest.toFixed(2)} of ${availableParallelism()} cores; the ratio measures the machine's other load as much as the pool`);
    }
    console.log("\ntargets (archives):");
    let met = true;
    for (const { name, ratio } of ratios) {
      met &&= ratio >= 1.7;
      console.log(`  ${ratio >= 1.7 ? "met    " : "NOT MET"}  ${name} archive: 2 workers / 1 thread at least 1.7×: ${ratio.toFixed(2)}×`);
    }
    return met;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (met) => console.log(met ? "\nall archive targets met" : "\nsome archive targets not met"),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
