/**
 * `ci-callback validate FILE…` checks bodies, one line (or JSON object) each, from files, directories, globs and
 * NDJSON archives, on worker threads (src/archive/); `convert FILE` prints one's canonical JSON.
 */
import { statSync } from "node:fs";
import { once } from "node:events";
import { isDynamicPattern } from "tinyglobby";
import { DEFAULT_MAX_BYTES, safeParseCallback } from "../canonical/callback";
import { overLimit, readInput } from "../read/input";
import { CliError, ExitCode, help, noMoreArguments, parseCommand, stdinAtMostOnce, usageError, wholeNumber, type Command } from "./common";
import { showProgress } from "../archive/progress-line";
import { isNdjson } from "../archive/sources";
import type { TaskResult } from "../archive/task";
import { WORKERS_PER_CORE, maxWorkers, newProgress, validateArchive, type ArchiveProgress } from "../archive/validate-archive";

export type { FileReport } from "../archive/report";

/** `ci-callback validate`. */
export const validateCommand: Command = {
  name: "validate",
  synopsis: "[--json] [--strict] [--workers N] FILE|DIR|GLOB...",
  summary: "check callback bodies, one line each: files, directories, globs, NDJSON archives",
  usage: `usage: ci-callback validate [--json] [--strict] [--workers N] FILE|DIR|GLOB...
Checks each body (XML or JSON; - reads stdin) and prints one line per body. A directory is walked for
*.xml, *.json, *.ndjson and *.jsonl files; a quoted glob ("archive/**/*.xml") is matched; an .ndjson or
.jsonl file holds one body a line, named FILE:LINE (blank lines are skipped). Exit 0 when all are valid,
1 when one is not, 3 when one could not be read. On a terminal a progress line is drawn on stderr; a
summary follows there when a directory, glob or NDJSON file was given.
  --json       one JSON object per line instead: {"file","ok","kind","issues"}; kind is null when ok,
               parse, validation or limit when invalid, read when the file could not be read
  --strict     report nodes the schema does not know
  --workers N  threads to check on (default: one per core; 1 checks on the main thread; at most
               ${WORKERS_PER_CORE} per core, a larger N is lowered to that)`,
  async run(args) {
    const parsed = parseCommand(args, { json: { type: "boolean" }, strict: { type: "boolean" }, workers: { type: "string" } });
    if (parsed === undefined) return help(this);
    const inputs = parsed.positionals;
    if (inputs.length === 0) throw usageError("at least one FILE is required");
    stdinAtMostOnce(inputs);
    const workers = parsed.values.workers === undefined ? undefined : cappedWorkers(wholeNumber("--workers", parsed.values.workers, 1, 1, 1024));
    const started = performance.now();
    const progress = newProgress();
    // A reader that stops reading (`validate DIR | head`) ends the run quietly: nothing more can be printed.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(exitCode(progress));
    });
    const bar = process.stderr.isTTY ? showProgress(process.stderr, progress, started) : undefined;
    try {
      await validateArchive(inputs, { strict: parsed.values.strict === true, json: parsed.values.json === true, workers, write: (result) => write(result, bar) }, progress);
    } finally {
      bar?.stop();
    }
    if (bar !== undefined || inputs.some(isArchive)) process.stderr.write(`${summary(progress, performance.now() - started)}\n`);
    return exitCode(progress);
  },
};

/** `--workers` within {@link maxWorkers}, saying so on stderr when it is lowered. */
function cappedWorkers(asked: number): number {
  const most = maxWorkers();
  if (asked <= most) return asked;
  process.stderr.write(`ci-callback validate: --workers ${asked} lowered to ${most} (${WORKERS_PER_CORE} per core)\n`);
  return most;
}

function exitCode(progress: ArchiveProgress): ExitCode {
  // An unreadable file outranks an invalid body: the run checked less than it was asked to.
  if (progress.unreadable > 0) return ExitCode.io;
  return progress.invalid > 0 ? ExitCode.invalid : ExitCode.ok;
}

/** Prints a batch's text; waits when a pipe is full, so that output does not pile up in memory. */
function write(result: TaskResult, bar: { clear(): void } | undefined): Promise<void> | undefined {
  // The line is drawn again at the next tick, below what is printed now.
  bar?.clear();
  const full = [result.err !== "" && !process.stderr.write(result.err) ? once(process.stderr, "drain") : undefined, result.out !== "" && !process.stdout.write(result.out) ? once(process.stdout, "drain") : undefined];
  const waits = full.filter((wait) => wait !== undefined);
  return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
}

/** A directory, a glob or an NDJSON file: a run that gets a summary. */
function isArchive(input: string): boolean {
  if (input === "-") return false;
  if (isNdjson(input)) return true;
  try {
    return statSync(input).isDirectory();
  } catch {
    return isDynamicPattern(input);
  }
}

/** `checked 20000 callbacks in 1 file: 19990 valid, 10 invalid; 2.1 s, 9524/s on 2 threads`. */
function summary(progress: ArchiveProgress, elapsedMs: number): string {
  const callbacks = progress.valid + progress.invalid;
  const counts = [`${progress.valid} valid`, `${progress.invalid} invalid`];
  if (progress.unreadable > 0) counts.push(`${progress.unreadable} unreadable`);
  const rate = Math.round((callbacks * 1000) / Math.max(elapsedMs, 1));
  const threads = progress.threads === 1 ? "the main thread" : `${progress.threads} threads`;
  return `checked ${callbacks} callbacks in ${progress.files} ${progress.files === 1 ? "file" : "files"}: ${counts.join(", ")}; ${(elapsedMs / 1000).toFixed(1)} s, ${rate}/s on ${threads}`;
}

/** `ci-callback convert`. */
export const convertCommand: Command = {
  name: "convert",
  synopsis: "[--strict] FILE",
  summary: "print the canonical JSON of a body",
  usage: `usage: ci-callback convert [--strict] FILE
Prints the canonical JSON of one body (XML or JSON; - reads stdin). Exit 1 with the error when it is
invalid, 3 when it could not be read.
  --strict   report nodes the schema does not know`,
  run(args) {
    const parsed = parseCommand(args, { strict: { type: "boolean" } });
    if (parsed === undefined) return help(this);
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw usageError("a FILE is required");
    noMoreArguments(extra);
    const body = readInput(file, DEFAULT_MAX_BYTES);
    if (body.length > DEFAULT_MAX_BYTES) throw new CliError(ExitCode.invalid, `${file}: ${overLimit(DEFAULT_MAX_BYTES).message}`);
    const result = safeParseCallback(body, { strict: parsed.values.strict === true });
    if (!result.ok) throw new CliError(ExitCode.invalid, `${file}: ${result.error.message}`);
    process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
    return ExitCode.ok;
  },
};
