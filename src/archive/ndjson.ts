/**
 * An NDJSON file cut into runs of whole lines, streamed: memory holds one read and at most the limit's worth
 * of a line still open, whatever the size of the file or of a line. A run is the read itself, not a copy:
 * only the line left open at its end is copied out, and joined to the start of the next read.
 */
import { createReadStream } from "node:fs";

/** Whole lines of the file, the first numbered `firstLine`; `end` is the offset just past them. */
export interface LineRun {
  kind: "run";
  firstLine: number;
  /** The first line, when it began in the previous read: a small copy, with its `\n`. */
  head: Uint8Array | undefined;
  /** The lines after `head` (all of them without one): a view on an ArrayBuffer no one else uses, so that it can be moved to a worker. */
  bytes: Uint8Array;
  end: number;
}

/** A line longer than the limit, skipped unread: its number and size. */
export interface LongLine {
  kind: "long";
  line: number;
  bytes: number;
}

const newline = 0x0a;

/** The runs of `path`, one a read of `runBytes`; lines over `maxLineBytes` come as {@link LongLine}. */
export async function* lineRuns(path: string, runBytes: number, maxLineBytes: number): AsyncGenerator<LineRun | LongLine> {
  let line = 1;
  let offset = 0;
  /** The start of a line whose end has not been read yet. */
  let open: Buffer | undefined;
  /** The size so far of a line over the limit, being skipped. */
  let skipped: number | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: runBytes }) as AsyncIterable<Buffer>) {
    let data = chunk;
    if (skipped !== undefined) {
      const end = data.indexOf(newline);
      if (end < 0) {
        skipped += data.length;
        offset += data.length;
        continue;
      }
      yield { kind: "long", line, bytes: skipped + end };
      line++;
      offset += end + 1;
      skipped = undefined;
      data = data.subarray(end + 1);
    }
    let head: Buffer | undefined;
    if (open !== undefined) {
      const end = data.indexOf(newline);
      const size = open.length + (end < 0 ? data.length : end);
      if (size > maxLineBytes) {
        open = undefined;
        if (end < 0) {
          skipped = size;
          offset += size;
          continue;
        }
        yield { kind: "long", line, bytes: size };
        line++;
        offset += size + 1;
      } else if (end < 0) {
        open = Buffer.concat([open, data]);
        continue;
      } else {
        head = Buffer.concat([open, data.subarray(0, end + 1)]);
        open = undefined;
      }
      data = data.subarray(end + 1);
    }
    const last = data.lastIndexOf(newline);
    // The line left open is copied out first: the run may take the buffer they share to a worker.
    const rest = data.subarray(last + 1);
    const restOpen = rest.length > 0 && rest.length <= maxLineBytes ? owned(rest) : undefined;
    const whole = data.subarray(0, last + 1);
    if (head !== undefined || whole.length > 0) {
      const firstLine = line;
      offset += (head?.length ?? 0) + whole.length;
      // Counted before the run is handed on: moving it to a worker empties it here.
      line += (head === undefined ? 0 : 1) + countLines(whole);
      yield { kind: "run", firstLine, head, bytes: ownsItsBuffer(chunk) ? whole : owned(whole), end: offset };
    }
    if (rest.length > maxLineBytes) {
      skipped = rest.length;
      offset += rest.length;
    }
    open = restOpen;
  }
  if (skipped !== undefined) yield { kind: "long", line, bytes: skipped };
  else if (open !== undefined) yield { kind: "run", firstLine: line, head: undefined, bytes: open, end: offset + open.length };
}

/** True when `bytes` is its whole ArrayBuffer, as a file stream's reads are: moving it moves nothing else. */
function ownsItsBuffer(bytes: Buffer): boolean {
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length;
}

/** A copy in an ArrayBuffer of its own. */
function owned(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

function countLines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(newline); at >= 0; at = bytes.indexOf(newline, at + 1)) count++;
  return count;
}
