/**
 * Reading a FILE (or stdin, `-`) into bytes, and saying in a few words why a file, socket or port failed: for
 * the archive validator and the CLI, which sit above this stage (the CLI exits with code 3 on an InputError).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";

/** A FILE (or stdin) that could not be read. */
export class InputError extends Error {
  override readonly name = "InputError";

  constructor(
    /** The FILE as given (`-` for stdin). */
    readonly file: string,
    /** Why, as {@link systemReason} words it. */
    readonly reason: string,
  ) {
    super(`cannot read ${file === "-" ? "stdin" : file}: ${reason}`);
  }
}

/**
 * The bytes of FILE; `-` reads stdin. Given `maxBytes`, at most `maxBytes + 1` bytes are read, from a file, a
 * device (`/dev/zero`) or a pipe that never ends alike: more than `maxBytes` says the input is over the limit
 * ({@link overLimit}), and nothing past that is read.
 * @throws InputError when it cannot be read.
 */
export function readInput(file: string, maxBytes?: number): Buffer {
  try {
    // fd 0, not process.stdin: opening that stream may make a pipe non-blocking, and the read fail with EAGAIN.
    if (maxBytes === undefined) return readFileSync(file === "-" ? 0 : file);
    const fd = file === "-" ? 0 : openSync(file, "r");
    try {
      return readAtMost(fd, maxBytes + 1);
    } finally {
      if (fd !== 0) closeSync(fd);
    }
  } catch (error) {
    throw new InputError(file, systemReason(error));
  }
}

/** What a body {@link readInput} found longer than `maxBytes` is refused with (its size is not known: it was not read). */
export function overLimit(maxBytes: number): { path: string; message: string } {
  return { path: "", message: `body is over the limit of ${maxBytes} bytes` };
}

/**
 * Up to `limit` bytes of `fd`. A regular file is read to the size it has, as `readFileSync` does; anything else
 * (a pipe, a device, a file that says it is empty, like those of /proc) until it ends or passes the limit.
 */
function readAtMost(fd: number, limit: number): Buffer {
  const stats = fstatSync(fd);
  const known = stats.isFile() && stats.size > 0 ? Math.min(stats.size, limit) : undefined;
  let buffer = Buffer.allocUnsafe(known ?? Math.min(limit, 64 * 1024));
  let size = 0;
  for (;;) {
    if (size === buffer.length) {
      if (known !== undefined || size === limit) break;
      const larger = Buffer.allocUnsafe(Math.min(limit, 2 * buffer.length));
      buffer.copy(larger, 0, 0, size);
      buffer = larger;
    }
    const read = readSync(fd, buffer, size, buffer.length - size, null);
    if (read === 0) break;
    size += read;
  }
  return buffer.subarray(0, size);
}

/** A system error in a few words and its code: `no such file or directory (ENOENT)`. */
export function systemReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
  if (code === undefined) return error.message;
  // Node says "ENOENT: no such file or directory, open 'x'" or "listen EADDRINUSE: address already in use …":
  // keep the words after the code, not the call.
  const at = error.message.indexOf(`${code}: `);
  const words = at < 0 ? error.message : error.message.slice(at + code.length + 2).split(",")[0];
  return `${words} (${code})`;
}
