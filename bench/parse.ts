/**
 * `npm run bench`: what parsing a callback costs, against what a user would otherwise write, in one process on
 * the built package (dist/). Bodies: the seed's case 2 (XML) and its JSON, a large one (50 CosHeaders, 64 KiB
 * UserData) and a minimal one. Rows are timed in interleaved rounds and each row's best round kept (noise on a
 * shared machine only ever adds time); ratios are to JSON.parse of the same callback as JSON. Prints the table,
 * the scaling on hostile bodies (floods of failing items and unknown nodes at 1×, 4×, 16×) and the listener's
 * answer to them at 1 MiB, then the targets and whether each is met. BENCH_ROUNDS (default 15) and BENCH_ROUND_MS (default 40) tune it.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { xml2js as xmlJs } from "xml-js";
import { parseString as xml2jsParse } from "xml2js";
import type * as CallbackModule from "../src/canonical/callback";
import type * as BodyModule from "../src/read/body";
import type * as StrictReaderModule from "../src/read/xml-reader-strict";
import type * as SaxesReaderModule from "./xml-reader-saxes";
import type * as XmlJsReaderModule from "./xml-reader-xml-js";
import type * as ValidatorsModule from "../generated/validators";
import type * as ErrorsModule from "../src/read/errors";
import type * as ListenerModule from "../src/receiver/listener";
import { floodBodies } from "../test/hostile/floods";
import { type Size, seedJson, seedXml, sizes } from "./bodies";

// The built package, as users run it (tsx would wrap every export of src/ in a getter).
const dist = join(__dirname, "..", "dist");
const { parseCallbackWith, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } = require(
  join(dist, "src/canonical/callback"),
) as typeof CallbackModule;
const { decodeBody } = require(join(dist, "src/read/body")) as typeof BodyModule;
const { readXmlStrictly } = require(join(dist, "src/read/xml-reader-strict")) as typeof StrictReaderModule;
// The saxes reader (the strict one's test oracle) and the xml-js one do not ship: tsconfig.bench.json compiles
// them, as tsc compiles dist/, into dist-bench/.
const saxesReader = join(__dirname, "..", "dist-bench", "bench", "xml-reader-saxes.js");
const { readXmlWithSaxes } = require(saxesReader) as typeof SaxesReaderModule;
const xmlJsReader = join(__dirname, "..", "dist-bench", "bench", "xml-reader-xml-js.js");
const { readXmlWithXmlJs } = require(xmlJsReader) as typeof XmlJsReaderModule;
const { validateCiCallback } = require(join(dist, "generated/validators")) as typeof ValidatorsModule;
const { createCallbackListener } = require(join(dist, "src/receiver/listener")) as typeof ListenerModule;
const { CallbackError } = require(join(dist, "src/read/errors")) as typeof ErrorsModule;

/** Runs a parse that may fail with a CallbackError, as a receiver would. */
function attempt(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (error instanceof CallbackError) return error;
    throw error;
  }
}
const cosUtil = (require("cos-nodejs-sdk-v5") as { util: { xml2json(xml: string): unknown } }).util;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 40);

// ---- pipelines ------------------------------------------------------------------------------------------

// What a user would write with fast-xml-parser: lists forced to arrays, text kept as text, empties dropped.
const LIST_NAMES = new Set([
  "JobsDetail",
  "CosHeaders",
  "Audio",
  "Video",
  "Subtitle",
  "Md5Info",
  "ObjectName",
  "Watermark",
  "WatermarkTemplateId",
]);
const fxp = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => LIST_NAMES.has(name) });
function dropEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(dropEmpty).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, dropEmpty(item)] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value === "" ? undefined : value;
}

function xml2jsSync(xml: string): unknown {
  let result: unknown;
  xml2jsParse(xml, { explicitArray: false }, (error, value) => {
    if (error) throw error;
    result = value;
  });
  return result;
}

const options = { maxDepth: DEFAULT_MAX_DEPTH };
type Row = { name: string; run: (size: Size) => unknown };
const rows: Row[] = [
  { name: "ours, XML (strict reader)", run: ({ xml }) => parseCallbackWith(readXmlStrictly, xml) },
  { name: "ours, XML (saxes reader, oracle)", run: ({ xml }) => parseCallbackWith(readXmlWithSaxes, xml) },
  { name: "ours, XML (xml-js reader)", run: ({ xml }) => parseCallbackWith(readXmlWithXmlJs, xml) },
  {
    name: "  raw read: strict reader",
    run: ({ xml }) => readXmlStrictly(decodeBody(xml, DEFAULT_MAX_BYTES).text, options),
  },
  {
    name: "  raw read: saxes reader",
    run: ({ xml }) => readXmlWithSaxes(decodeBody(xml, DEFAULT_MAX_BYTES).text, options),
  },
  {
    name: "  raw read: xml-js reader",
    run: ({ xml }) => readXmlWithXmlJs(decodeBody(xml, DEFAULT_MAX_BYTES).text, options),
  },
  { name: "raw xml-js (xml2js, compact)", run: ({ xml }) => xmlJs(xml, { compact: true }) },
  {
    name: "fast-xml-parser + hand mapping",
    run: ({ xml }) => dropEmpty((fxp.parse(xml) as { Response: unknown }).Response),
  },
  { name: "xml2js", run: ({ xml }) => xml2jsSync(xml) },
  { name: "cos-nodejs-sdk-v5 util.xml2json", run: ({ xml }) => cosUtil.xml2json(xml) },
  { name: "ours, JSON", run: ({ json }) => parseCallbackWith(readXmlStrictly, json) },
  { name: "JSON.parse", run: ({ json }) => JSON.parse(json) },
  { name: "JSON.parse + ajv validator", run: ({ json }) => validateCiCallback(JSON.parse(json)) },
];
const ALTERNATIVES = ["fast-xml-parser + hand mapping", "xml2js", "cos-nodejs-sdk-v5 util.xml2json"];

// ---- timing ---------------------------------------------------------------------------------------------

/** µs per call of each task: a batch sized to about ROUND_MS, once per round, tasks interleaved; the best round. */
function measure(tasks: (() => unknown)[]): number[] {
  const batch = tasks.map((task) => {
    for (let i = 0; i < 50; i++) task(); // warm up
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < ROUND_MS / 4) {
      task();
      n++;
    }
    return Math.max(1, n * 4);
  });
  const samples: number[][] = tasks.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    tasks.forEach((task, index) => {
      const n = batch[index] as number;
      const start = performance.now();
      for (let i = 0; i < n; i++) task();
      samples[index]?.push(((performance.now() - start) * 1000) / n);
    });
  }
  return samples.map((values) => Math.min(...values));
}

// ---- memory and cold import ------------------------------------------------------------------------------

/** Bytes of heap still held per parsed callback, when 2,000 results of distinct bodies are kept alive. */
function retainedBytes(parse: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  const count = 2000;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: count }, parse);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept.length !== count) throw new Error("unreachable");
  return (after - before) / count;
}

/**
 * Median wall-clock ms of a fresh node process running each script (`node -e script`), the scripts taking
 * turns so that a slower spell of the shared machine falls on all of them alike.
 */
function processMs(scripts: string[], times = 15): number[] {
  const samples: number[][] = scripts.map(() => []);
  for (let i = 0; i < times; i++) {
    scripts.forEach((script, index) => {
      const start = process.hrtime.bigint();
      execFileSync(process.execPath, ["-e", script], { cwd: dist });
      samples[index]?.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return samples.map((values) => values.sort((a, b) => a - b)[Math.floor(times / 2)] as number);
}

/** Median ms of `require` of `module` in a fresh node process. */
function coldImportMs(module: string, times = 11): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(module)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: times }, () =>
    Number(execFileSync(process.execPath, ["-e", script], { cwd: dist })),
  );
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

/** µs per parse of the seed XML in a fresh process (best of 10 rounds of 1000), with a class extending String defined first or not. */
function seedXmlInProcess(subclass: boolean): number {
  const script = [
    subclass ? "class SubclassedString extends String {}" : "",
    `const { parseCallbackWith } = require("./src/canonical/callback"); const { readXmlStrictly } = require("./src/read/xml-reader-strict");`,
    `const xml = require("node:fs").readFileSync(${JSON.stringify(join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance", "seed-2.xml"))}, "utf8");`,
    "for (let i = 0; i < 2000; i++) parseCallbackWith(readXmlStrictly, xml);",
    "let best = Infinity; for (let r = 0; r < 10; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < 1000; i++) parseCallbackWith(readXmlStrictly, xml); best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6); }",
    "process.stdout.write(String(best));",
  ].join("\n");
  return Number(execFileSync(process.execPath, ["-e", script], { cwd: dist }));
}

// ---- report ---------------------------------------------------------------------------------------------

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));
const results = new Map<string, Map<string, number>>(); // size → row → µs/op

for (const size of sizes) {
  const times = measure(rows.map((row) => () => row.run(size)));
  results.set(size.name, new Map(rows.map((row, i) => [row.name, times[i] as number])));
}

const header = [
  "µs/op (× JSON.parse)",
  ...sizes.map((s) => `${s.name}, ${(Buffer.byteLength(s.xml) / 1024).toFixed(1)} KiB XML`),
];
const lines = rows.map((row) => [
  row.name,
  ...sizes.map((size) => {
    const us = results.get(size.name)?.get(row.name) ?? Number.NaN;
    const base = results.get(size.name)?.get("JSON.parse") ?? Number.NaN;
    return `${fmt(us)} (${(us / base).toFixed(1)}×)`;
  }),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] as string).length)));
const printRow = (cells: string[]) =>
  console.log(`| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(" | ")} |`);
console.log(`node ${process.version}, best of ${ROUNDS} rounds of ~${ROUND_MS} ms per row and body\n`);
printRow(header);
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const line of lines) printRow(line);

// Bodies as a server receives them (bytes), so that each parse has a body of its own to keep alive or not.
const seedXmlBytes = Buffer.from(seedXml);
const seedJsonBytes = Buffer.from(seedJson);
const retained = new Map([
  ["ours, XML", retainedBytes(() => parseCallbackWith(readXmlStrictly, seedXmlBytes))],
  ["ours, XML (saxes reader)", retainedBytes(() => parseCallbackWith(readXmlWithSaxes, seedXmlBytes))],
  ["ours, JSON", retainedBytes(() => parseCallbackWith(readXmlStrictly, seedJsonBytes))],
  ["JSON.parse", retainedBytes(() => JSON.parse(seedJsonBytes.toString()))],
]);
console.log(
  `\nretained heap per parsed seed callback: ${[...retained].map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KiB`).join(", ")}`,
);
const cold = (module: string) => `${coldImportMs(module).toFixed(1)} ms`;
console.log(
  `cold import, median of 11 fresh processes: the package ${cold("./src/index.js")}; parseCallback's modules ` +
    `${cold("./src/canonical/callback.js")} (generated validators ${cold("./generated/validators.js")}); the strict reader ` +
    `${cold("./src/read/xml-reader-strict.js")}, the saxes reader ${cold(saxesReader)}, the xml-js reader ${cold(xmlJsReader)}; ` +
    `a one-function module (the floor) ${cold("./src/read/safe-name.js")}`,
);
// What a service pays to start: `node -e 0`, then requiring the package, then that and one seed body parsed.
const [bareMs, importMs, firstParseMs] = processMs([
  "0",
  'require("./src/index.js")',
  `require("./src/index.js").parseCallback(${JSON.stringify(seedJson)})`,
]) as [number, number, number];
const coldOverBare = importMs - bareMs;
console.log(
  `cold start, median of 15 fresh processes: node -e 0 ${bareMs.toFixed(1)} ms; requiring the package ` +
    `+${coldOverBare.toFixed(1)} ms; requiring it and parsing the seed's JSON +${(firstParseMs - bareMs).toFixed(1)} ms`,
);

// ---- scaling on hostile bodies ----------------------------------------------------------------------------

// Bodies that break the schema as often as their size allows (test/hostile/floods.ts), at 1×, 4× and 16×:
// linear work shows as the same µs per KB at every scale.
const SCALES = [1, 4, 16];
const scaling = floodBodies.map((flood) => {
  const bodies = SCALES.map((n) => Buffer.from(flood.body(n)));
  const times = measure(
    bodies.map((body) => () => attempt(() => parseCallbackWith(readXmlStrictly, body, flood.options))),
  );
  const perKb = times.map((us, i) => us / ((bodies[i] as Buffer).length / 1024));
  return { flood, bodies, times, perKb };
});
console.log("\nscaling on hostile bodies (µs per parse, µs per KB):\n");
console.log(`| body | ${SCALES.map((n) => `${n}×`).join(" | ")} | µs/KB at 16× ÷ at 1× |`);
console.log(`| --- | ${SCALES.map(() => "---").join(" | ")} | --- |`);
for (const { flood, bodies, times, perKb } of scaling) {
  const cells = SCALES.map(
    (_, i) =>
      `${fmt(times[i] as number)} µs, ${((bodies[i] as Buffer).length / 1024).toFixed(0)} KB: ${fmt(perKb[i] as number)}/KB`,
  );
  console.log(`| ${flood.name} | ${cells.join(" | ")} | ${((perKb[2] as number) / (perKb[0] as number)).toFixed(2)} |`);
}

// The rest waits for the listener's answers, which are async.
void (async () => {
  // The listener's answers to the same floods at the default 1 MiB limit: bounded, whatever the body.
  const answerSizes = await Promise.all(
    floodBodies.map(async (flood) => {
      const listener = createCallbackListener({ secret: false, strict: true, dedup: false, onError: () => undefined });
      const body = Buffer.from(flood.bodyOfSize(DEFAULT_MAX_BYTES - 1024));
      const reply = await listener.handle({ method: "POST", url: "/", body: () => Promise.resolve(body) });
      return { name: flood.name, bytes: body.length, status: reply.status, answer: Buffer.byteLength(reply.body) };
    }),
  );
  for (const a of answerSizes) {
    console.log(`answer to a ${(a.bytes / 1024).toFixed(0)} KiB body of ${a.name}: ${a.status}, ${a.answer} bytes`);
  }

  // A class extending String anywhere in the process (ioredis's RESP decoder has one) made V8 stop inlining
  // `text.charCodeAt`: the reader calls it through String.prototype's own function instead (src/read/xml-chars.ts).
  // Each side in fresh processes (nothing undoes the class), taking turns.
  const subclassRatios = Array.from({ length: 5 }, () => seedXmlInProcess(true) / seedXmlInProcess(false)).sort((a, b) => a - b);
  console.log(`\nseed XML (strict reader) in a process where a class extends String / in one where none does, 5 pairs: ${subclassRatios.map((r) => `${r.toFixed(2)}×`).join(", ")}`);

  // ---- targets --------------------------------------------------------------------------------------------

  console.log("\ntargets:");
  let allMet = true;
  const target = (description: string, met: boolean, detail: string) => {
    allMet &&= met;
    console.log(`  ${met ? "met    " : "NOT MET"}  ${description}: ${detail}`);
  };
  const seedResults = results.get("seed (case 2)") as Map<string, number>;
  const seedJsonRatio = (seedResults.get("ours, JSON") as number) / (seedResults.get("JSON.parse") as number);
  target("seed (case 2): JSON path at most 1.9× JSON.parse", seedJsonRatio <= 1.9, `${seedJsonRatio.toFixed(2)}×`);
  target("cold import over bare node at most +25 ms", coldOverBare <= 25, `+${coldOverBare.toFixed(1)} ms`);
  for (const size of sizes) {
    const r = results.get(size.name) as Map<string, number>;
    const get = (row: string) => r.get(row) as number;
    const jsonRatio = get("ours, JSON") / get("JSON.parse + ajv validator");
    target(`${size.name}: JSON path within 1.3× of JSON.parse + ajv`, jsonRatio <= 1.3, `${jsonRatio.toFixed(2)}×`);
    const fastest = Math.min(...ALTERNATIVES.map(get));
    const xmlRatio = get("ours, XML (strict reader)") / fastest;
    target(
      `${size.name}: XML path faster than every alternative pipeline`,
      xmlRatio < 1,
      `${xmlRatio.toFixed(2)}× the fastest`,
    );
    const overhead = get("ours, XML (strict reader)") / get("  raw read: strict reader") - 1;
    target(
      `${size.name}: mapping + validation at most 15% over the raw read`,
      overhead <= 0.15,
      `+${(overhead * 100).toFixed(0)}%`,
    );
    const overSaxes = get("ours, XML (saxes reader, oracle)") / get("ours, XML (strict reader)");
    target(
      `${size.name}: strict reader faster end to end than the saxes one`,
      overSaxes > 1,
      `${overSaxes.toFixed(2)}× faster`,
    );
  }
  const seed = results.get("seed (case 2)") as Map<string, number>;
  const seedXmlRatio = (seed.get("ours, XML (strict reader)") as number) / (seed.get("JSON.parse") as number);
  target(
    "seed: XML path (strict reader) at most 4.5× JSON.parse of its JSON",
    seedXmlRatio <= 4.5,
    `${seedXmlRatio.toFixed(2)}×`,
  );
  const retainedXml = (retained.get("ours, XML") as number) / 1024;
  target(
    "retained heap per parsed seed callback, XML, at most 5 KiB",
    retainedXml <= 5,
    `${retainedXml.toFixed(2)} KiB`,
  );
  for (const { flood, perKb } of scaling) {
    const growth = (perKb[2] as number) / (perKb[0] as number);
    target(`${flood.name}: linear (µs per KB at 16× within 2× of 1×)`, growth <= 2, `${growth.toFixed(2)}×`);
  }
  const largestAnswer = Math.max(...answerSizes.map((a) => a.answer));
  target("largest answer to a 1 MiB hostile body at most 16 KiB", largestAnswer <= 16 * 1024, `${largestAnswer} bytes`);
  const subclassRatio = subclassRatios[2] as number;
  target("seed XML with a class extending String in the process (as ioredis has) / without, at most 1.2×", subclassRatio <= 1.2, `${subclassRatio.toFixed(2)}×`);
  console.log(allMet ? "\nall targets met" : "\nsome targets not met");
})();
