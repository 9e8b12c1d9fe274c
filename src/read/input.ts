/**
 * Reading a FILE (or stdin, `-`) into bytes, and saying in a few words why a file, socket or port failed: for
 * the archive validator and the CLI, which sit above this stage (the CLI exits with code 3 on an InputError).
 */
import { readFileSync } from "node:fs";

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
 * The bytes of FILE; `-` reads stdin.
 * @throws InputError when it cannot be read.
 */
export function readInput(file: string): Buffer {
  try {
    // fd 0, not process.stdin: opening that stream may make a pipe non-blocking, and the read fail with EAGAIN.
    return readFileSync(file === "-" ? 0 : file);
  } catch (error) {
    throw new InputError(file, systemReason(error));
  }
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
