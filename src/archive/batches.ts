/**
 * The sources cut into batches for the pool: up to {@link FILES_PER_BATCH} files, or about
 * {@link RUN_BYTES} of an NDJSON file's lines, so that a batch costs the main thread little per body.
 */
import { stat } from "node:fs/promises";
import { DEFAULT_MAX_BYTES } from "../canonical/callback";
import { InputError, overLimit, readInput, systemReason } from "../read/input";
import { lineRuns } from "./ndjson";
import { sources } from "./sources";
import type { Task } from "./task";

/** Files a batch reads at most. */
export const FILES_PER_BATCH = 64;

/** Bytes of NDJSON lines a batch holds: one read (plus the line the previous read left open). */
export const RUN_BYTES = 1024 * 1024;

/** What every batch of a run is checked with. */
export interface BatchOptions {
  strict: boolean;
  json: boolean;
}

/** The batches of the arguments' sources, in order; `onListed` is told when every source has been met. */
export async function* batches(args: readonly string[], options: BatchOptions, onListed: (files: number) => void): AsyncGenerator<Task> {
  let files: string[] = [];
  let listed = 0;
  const flush = function* (): Generator<Task> {
    if (files.length === 0) return;
    yield { kind: "files", files, ...options };
    files = [];
  };
  for await (const source of sources(args)) {
    listed++;
    if (source.kind === "file") {
      files.push(source.path);
      if (files.length === FILES_PER_BATCH) yield* flush();
      continue;
    }
    yield* flush();
    if (source.kind === "ndjson") yield* ndjsonBatches(source.path, options);
    else if (source.kind === "stdin") yield stdinBatch(options);
    else yield { kind: "known", name: source.name, file: true, unreadable: unreadable(source.name, source.reason), ...options };
  }
  yield* flush();
  onListed(listed);
}

function unreadable(name: string, reason: string): { reason: string; message: string } {
  return { reason, message: new InputError(name, reason).message };
}

function stdinBatch(options: BatchOptions): Task {
  let bytes: Buffer;
  try {
    bytes = readInput("-", DEFAULT_MAX_BYTES);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { kind: "known", name: "-", file: true, unreadable: unreadable("-", error.reason), ...options };
  }
  if (bytes.length > DEFAULT_MAX_BYTES) return { kind: "known", name: "-", file: true, refused: overLimit(DEFAULT_MAX_BYTES), ...options };
  return { kind: "body", name: "-", bytes, ...options };
}

/** An NDJSON file's lines in runs; a line over the limit is refused unread; a read error ends the file. */
async function* ndjsonBatches(file: string, options: BatchOptions): AsyncGenerator<Task> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    yield { kind: "known", name: file, file: true, unreadable: unreadable(file, systemReason(error)), ...options };
    return;
  }
  // A `\r` before the `\n` is not part of the body: a line one byte over the limit goes on to the check, which
  // drops the `\r` and applies the limit to the body itself.
  const runs = lineRuns(file, RUN_BYTES, DEFAULT_MAX_BYTES + 1);
  // Each run is held back until the next is read, so that the last one can say it ends the file.
  let held: Task | undefined;
  for (;;) {
    let next: Awaited<ReturnType<typeof runs.next>>;
    try {
      next = await runs.next();
    } catch (error) {
      if (held !== undefined) yield held;
      yield { kind: "known", name: file, file: true, unreadable: unreadable(file, systemReason(error)), ...options };
      return;
    }
    if (next.done === true) break;
    if (held !== undefined) yield held;
    const run = next.value;
    if (run.kind === "run") {
      held = { kind: "lines", file, firstLine: run.firstLine, head: run.head, bytes: run.bytes, end: run.end, size, last: false, ...options };
    } else {
      const refused = { path: "", message: `body is ${run.bytes} bytes, over the limit of ${DEFAULT_MAX_BYTES}` };
      held = { kind: "known", name: `${file}:${run.line}`, file: false, refused, ...options };
    }
  }
  if (held === undefined) held = { kind: "known", name: file, file: true, ...options };
  else if (held.kind === "lines") held.last = true;
  else if (held.kind === "known") held.file = true;
  yield held;
}
