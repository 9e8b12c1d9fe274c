/**
 * `listen --record FILE`: every body received appended to FILE, one a line ({@link oneLine}), the NDJSON that
 * `ci-callback validate FILE` checks and `ci-callback send URL --file FILE` sends again. Written synchronously,
 * in arrival order: a stopped listener has written every body it answered.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { systemReason } from "../../read/input";
import { CliError, ExitCode } from "../common";
import { oneLine } from "./one-line";

const NEWLINE = Buffer.from("\n");

/** An NDJSON file open for appending. */
export class Recording {
  private readonly fd: number;

  /** @throws CliError (io) when FILE cannot be opened for appending. */
  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, "a");
    } catch (error) {
      throw new CliError(ExitCode.io, `cannot record to ${file}: ${systemReason(error)}`);
    }
  }

  /** Appends a body as one line; an empty body has no line (validate skips blank lines). */
  add(body: Uint8Array): void {
    if (body.byteLength === 0) return;
    writeSync(this.fd, Buffer.concat([oneLine(body), NEWLINE]));
  }

  /** Closes the file; every body added is written already. */
  close(): void {
    closeSync(this.fd);
  }
}
