/**
 * `npm run bench:xml-ab [-- <old revision> [<new revision>]]`: the strict XML reader at a git revision (default
 * main) against the working tree's (or a second revision's), side by side in one process, so that a change to
 * the reader is timed against its previous self under the same load: two `npm run bench` runs on a shared
 * machine differ by more than most changes do. The same revision twice (`-- main main`) measures the method's
 * own noise.
 *
 * Both readers are compiled the same way: src/read/ of each side is copied to dist-bench/xml-ab/ and compiled
 * there with tsconfig.build.json's options; the rest of the pipeline is the built package's (dist/). Each task
 * (whole XML pipeline and raw read, three bodies) is timed in many short rounds, a batch of calls of the old
 * reader and one of the new in each, taking turns at going first: short, so that a pair shares what the
 * machine is doing. A row prints each reader's median round, the ratio of those medians, and the median and
 * quartiles of the round-by-round ratios new ÷ old. BENCH_ROUNDS (default 301) and BENCH_ROUND_MS (default 2,
 * per reader) tune it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { deepStrictEqual } from "node:assert";
import type * as BodyModule from "../src/read/body";
import type * as CallbackModule from "../src/canonical/callback";
import type * as StrictReaderModule from "../src/read/xml-reader-strict";
import type { XmlReader } from "../src/read/xml-document";
import { sizes } from "./bodies";

const root = join(__dirname, "..");
const [oldRevision = "main", newRevision] = process.argv.slice(2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 301);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2);

const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });

/** Compiles `files` (path in the repo → source) into `dir` with the package's own compiler options. */
function compile(dir: string, files: Map<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, source] of files) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const config = {
    extends: relative(dir, join(root, "tsconfig.build.json")),
    compilerOptions: { rootDir: ".", outDir: "out", declaration: false },
    include: ["src"],
    exclude: [],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", dir], { stdio: "inherit" });
}

/** src/read/ at `revision` (or in the working tree, committed or not), compiled into `dir`; its strict reader. */
function reader(dir: string, revision: string | undefined): XmlReader {
  const files = new Map<string, string>();
  if (revision !== undefined) {
    for (const path of git("ls-tree", "-r", "--name-only", revision, "src/read/").split("\n")) {
      if (path.endsWith(".ts")) files.set(path, git("show", `${revision}:${path}`));
    }
  } else {
    for (const name of readdirSync(join(root, "src", "read"))) {
      if (name.endsWith(".ts")) files.set(`src/read/${name}`, readFileSync(join(root, "src", "read", name), "utf8"));
    }
  }
  compile(join(root, "dist-bench", "xml-ab", dir), files);
  const module = require(
    join(root, "dist-bench", "xml-ab", dir, "out", "src", "read", "xml-reader-strict.js"),
  ) as typeof StrictReaderModule;
  return module.readXmlStrictly;
}

const oldReader = reader("old", oldRevision);
const newReader = reader("new", newRevision);
// The rest of the pipeline is the built package's (npm run build), the same for both readers.
const dist = join(root, "dist");
const { parseCallbackWith, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } = require(
  join(dist, "src/canonical/callback"),
) as typeof CallbackModule;
const { decodeBody } = require(join(dist, "src/read/body")) as typeof BodyModule;
const options = { maxDepth: DEFAULT_MAX_DEPTH };

interface Task {
  body: string;
  kind: string;
  run: [old: () => unknown, new: () => unknown];
}
const tasks: Task[] = sizes.flatMap((size) => {
  const text = decodeBody(size.xml, DEFAULT_MAX_BYTES).text;
  // A timing of two readers that read differently would mean nothing.
  deepStrictEqual(newReader(text, options), oldReader(text, options));
  return [
    {
      body: size.name,
      kind: "XML pipeline",
      run: [() => parseCallbackWith(oldReader, size.xml), () => parseCallbackWith(newReader, size.xml)],
    },
    {
      body: size.name,
      kind: "raw read",
      run: [
        () => oldReader(decodeBody(size.xml, DEFAULT_MAX_BYTES).text, options),
        () => newReader(decodeBody(size.xml, DEFAULT_MAX_BYTES).text, options),
      ],
    },
  ] satisfies Task[];
});

/** µs per call of `run` over `n` calls. */
function time(run: () => unknown, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) run();
  return ((performance.now() - start) * 1000) / n;
}

/** A batch of about ROUND_MS for the old reader's `run`, after a warm-up of both. */
function batchSize([oldRun, newRun]: Task["run"]): number {
  for (let i = 0; i < 500; i++) {
    oldRun();
    newRun();
  }
  const us = time(oldRun, 200);
  return Math.max(1, Math.round((ROUND_MS * 1000) / us));
}

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return (sorted[low] as number) + ((sorted[Math.ceil(at)] as number) - (sorted[low] as number)) * (at - low);
}

// Both readers of a task get the same batch size, so that each round times them on equal terms.
const batches = tasks.map((task) => batchSize(task.run));
const samples = tasks.map(() => ({ old: [] as number[], new: [] as number[], ratio: [] as number[] }));
for (let round = 0; round < ROUNDS; round++) {
  tasks.forEach((task, index) => {
    const n = batches[index] as number;
    const sample = samples[index] as (typeof samples)[number];
    const [oldRun, newRun] = task.run;
    let oldUs: number;
    let newUs: number;
    if (round % 2 === 0) {
      oldUs = time(oldRun, n);
      newUs = time(newRun, n);
    } else {
      newUs = time(newRun, n);
      oldUs = time(oldRun, n);
    }
    sample.old.push(oldUs);
    sample.new.push(newUs);
    sample.ratio.push(newUs / oldUs);
  });
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));
const load = loadavg();
console.log(
  `strict reader: ${oldRevision} (old) against ${newRevision ?? "the working tree"} (new); node ${process.version}, ${ROUNDS} rounds ` +
    `of ~${ROUND_MS} ms per reader and task; load average ${load.map((l) => l.toFixed(2)).join(" ")}\n`,
);
console.log(
  "| body | task | old µs (median) | new µs (median) | new ÷ old, medians | new ÷ old per round: median (quartiles) |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
tasks.forEach((task, index) => {
  const sample = samples[index] as (typeof samples)[number];
  const [oldUs, newUs] = [median(sample.old), median(sample.new)];
  const ratio = sample.ratio;
  console.log(
    `| ${task.body} | ${task.kind} | ${fmt(oldUs)} | ${fmt(newUs)} | ${(newUs / oldUs).toFixed(3)} | ` +
      `${median(ratio).toFixed(3)} (${quantile(ratio, 0.25).toFixed(3)}–${quantile(ratio, 0.75).toFixed(3)}) |`,
  );
});
