/**
 * A batch of work for one thread (the pool's or the main one) and what it gives back. A batch is many bodies,
 * so that handing it to a worker costs little per body; it comes back as the text to print, not as objects,
 * so that the main thread only writes it.
 */
import { DEFAULT_MAX_BYTES } from "../canonical/callback";
import { InputError, overLimit, readInput } from "../read/input";
import type { CallbackIssue } from "../read/errors";
import { ReportText } from "./report";

/** Files to read and check, each one body. */
export interface FilesTask {
  kind: "files";
  files: string[];
}

/** Lines of an NDJSON file: whole lines (each ending with `\n` but perhaps the last), the first one numbered `firstLine`. */
export interface LinesTask {
  kind: "lines";
  file: string;
  firstLine: number;
  /** The first line, when it is apart from the others (it began in the previous read). */
  head: Uint8Array | undefined;
  bytes: Uint8Array;
  /** How far into the file these lines end, and its size: for the ETA. */
  end: number;
  size: number;
  /** True for the file's last lines. */
  last: boolean;
}

/** One body already read (stdin). */
export interface BodyTask {
  kind: "body";
  name: string;
  bytes: Uint8Array;
}

/** An outcome known without parsing: a path that cannot be read, an NDJSON line over the limit. */
export interface KnownTask {
  kind: "known";
  name: string;
  /** Counts as a whole file done (false for a line within an NDJSON file). */
  file: boolean;
  unreadable?: { reason: string; message: string };
  refused?: CallbackIssue;
}

/** Any batch of work. */
export type Task = (FilesTask | LinesTask | BodyTask | KnownTask) & { strict: boolean; json: boolean };

/** What a batch gives back. */
export interface TaskResult {
  /** Text for stdout and stderr, in the order of the bodies. */
  out: string;
  err: string;
  valid: number;
  invalid: number;
  unreadable: number;
  /** Files finished by this batch (an NDJSON file with its last lines). */
  files: number;
}

const newline = 0x0a;

/** Runs a batch. Never throws for a body or a file: each outcome is in the text. */
export function runTask(task: Task): TaskResult {
  const text = new ReportText(task.json);
  let files = 0;
  switch (task.kind) {
    case "files":
      for (const file of task.files) {
        let body: Buffer;
        try {
          body = readInput(file, DEFAULT_MAX_BYTES);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          text.unread(file, error.reason, error.message);
          continue;
        }
        if (body.length > DEFAULT_MAX_BYTES) text.refuse(file, "limit", overLimit(DEFAULT_MAX_BYTES));
        else text.check(file, body, task.strict);
      }
      files = task.files.length;
      break;
    case "lines":
      checkLines(task, text);
      if (task.last) files = 1;
      break;
    case "body":
      text.check(task.name, task.bytes, task.strict);
      files = 1;
      break;
    case "known":
      if (task.unreadable !== undefined) text.unread(task.name, task.unreadable.reason, task.unreadable.message);
      if (task.refused !== undefined) text.refuse(task.name, "limit", task.refused);
      if (task.file) files = 1;
      break;
  }
  const { out, err, valid, invalid, unreadable } = text;
  return { out, err, valid, invalid, unreadable, files };
}

/** Each line that is not blank is a body, named `FILE:LINE`; a `\r` before the `\n` is not part of it. */
function checkLines(task: LinesTask & { strict: boolean }, text: ReportText): void {
  let line = task.firstLine;
  if (task.head !== undefined) checkLine(task, task.head, line++, text);
  // Buffer's indexOf is memchr; a transferred batch arrives as a plain Uint8Array.
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  for (let start = 0; start < bytes.length; line++) {
    let end = bytes.indexOf(newline, start);
    if (end < 0) end = bytes.length;
    checkLine(task, bytes.subarray(start, end), line, text);
    start = end + 1;
  }
}

/** One line, without its `\n` (or with it: a head keeps it); a `\r` before that is not part of the body. */
function checkLine(task: LinesTask & { strict: boolean }, bytes: Uint8Array, line: number, text: ReportText): void {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === newline) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  const body = bytes.subarray(0, end);
  if (!isBlank(body)) text.check(`${task.file}:${line}`, body, task.strict);
}

function isBlank(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}
