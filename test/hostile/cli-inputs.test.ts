// The CLI's inputs as an attacker (or a slip of the keyboard) gives them: a file far over the limit, a device
// that never ends, a FIFO whose writer never stops, a thread count out of reason. Each is read, or run, within
// a bound the README states: at most maxBytes + 1 bytes of any input, at most 4 threads per core.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type * as ValidateArchiveModule from "../../src/archive/validate-archive";
import { DEFAULT_MAX_BYTES } from "../../src/canonical/callback";
import { readInput } from "../../src/read/input";
import { jsonBody } from "../support/bodies";
import { cliPath, ensureBuilt } from "../support/built";
import { repoRoot } from "../support/examples";

/** A `validate --json` line. */
interface Report {
  file: string;
  ok: boolean;
  kind: string | null;
  issues: { path: string; message: string }[];
}

const OVER_LIMIT: Report["issues"] = [{ path: "", message: `body is over the limit of ${DEFAULT_MAX_BYTES} bytes` }];

/** Runs the built CLI with `stdin` (a file descriptor) as its standard input, to completion. */
function cli(args: string[], stdin: number | "ignore" = "ignore"): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", stdio: [stdin, "pipe", "pipe"] });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function reports(stdout: string): Report[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Report);
}

/** A process that writes to `fifo` until its reader goes away; resolves with its exit once it has. */
function endlessWriter(fifo: string): Promise<number | null> {
  const script = `const fs=require("fs");const fd=fs.openSync(process.argv[1],"w");const b=Buffer.alloc(65536,"x");for(;;)fs.writeSync(fd,b)`;
  const writer = spawn(process.execPath, ["-e", script, fifo], { stdio: "ignore" });
  return new Promise((resolve) => writer.once("exit", (code) => resolve(code)));
}

describe("hostile CLI inputs: read and run within bounds", function () {
  // Spawns the CLI a few times on a loaded machine: a run is bounded by its exit, not by a timer.
  this.timeout(120_000);
  let dir = "";

  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-hostile-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("validate FILE reads at most maxBytes + 1 bytes of any input, then reports limit", () => {
    it("a 64 MiB file (sparse): maxBytes + 1 bytes read, a limit error", () => {
      const file = join(dir, "huge.xml");
      writeFileSync(file, "");
      truncateSync(file, 64 * 1024 * 1024);
      expect(readInput(file, DEFAULT_MAX_BYTES).length).to.equal(DEFAULT_MAX_BYTES + 1);
      const run = cli(["validate", "--json", file]);
      expect(run.status).to.equal(1);
      expect(reports(run.stdout)).to.deep.equal([{ file, ok: false, kind: "limit", issues: OVER_LIMIT }]);
    });

    it("/dev/zero, a device that never ends: bounded by the limit itself, as a FILE, as stdin and for convert", () => {
      expect(readInput("/dev/zero", DEFAULT_MAX_BYTES).length).to.equal(DEFAULT_MAX_BYTES + 1);
      const asFile = cli(["validate", "--json", "/dev/zero"]);
      expect(asFile.status).to.equal(1);
      expect(reports(asFile.stdout)).to.deep.equal([{ file: "/dev/zero", ok: false, kind: "limit", issues: OVER_LIMIT }]);
      const zero = openSync("/dev/zero", "r");
      try {
        const asStdin = cli(["validate", "--json", "-"], zero);
        expect(asStdin.status).to.equal(1);
        expect(reports(asStdin.stdout)).to.deep.equal([{ file: "-", ok: false, kind: "limit", issues: OVER_LIMIT }]);
      } finally {
        closeSync(zero);
      }
      const convert = cli(["convert", "/dev/zero"]);
      expect(convert.status).to.equal(1);
      expect(convert.stderr).to.equal(`ci-callback convert: /dev/zero: body is over the limit of ${DEFAULT_MAX_BYTES} bytes\n`);
    });

    it("a FIFO whose writer never stops: the run ends with a limit error, and the writer then sees its reader gone", async () => {
      const fifo = join(dir, "endless.xml");
      expect(spawnSync("mkfifo", [fifo]).status).to.equal(0);
      const inProcess = endlessWriter(fifo);
      expect(readInput(fifo, DEFAULT_MAX_BYTES).length).to.equal(DEFAULT_MAX_BYTES + 1);
      // Writing to a FIFO no one reads any more fails (EPIPE): the writer stops.
      expect(await inProcess).to.not.equal(0);
      const writer = endlessWriter(fifo);
      const run = spawnSync(process.execPath, [cliPath, "validate", "--json", fifo], { encoding: "utf8" });
      expect(run.status).to.equal(1);
      expect(reports(run.stdout)).to.deep.equal([{ file: fifo, ok: false, kind: "limit", issues: OVER_LIMIT }]);
      expect(await writer).to.not.equal(0);
    });

    it("a body of exactly maxBytes is still read whole and checked", () => {
      const file = join(dir, "exact.json");
      const body = jsonBody();
      writeFileSync(file, body + " ".repeat(DEFAULT_MAX_BYTES - Buffer.byteLength(body)));
      expect(readInput(file, DEFAULT_MAX_BYTES).length).to.equal(DEFAULT_MAX_BYTES);
      const run = cli(["validate", "--json", file]);
      expect(reports(run.stdout)).to.deep.equal([{ file, ok: true, kind: null, issues: [] }]);
    });
  });

  describe("an NDJSON line's \\r is not part of its body", () => {
    it("a body of exactly maxBytes, then CRLF: accepted; one byte more: a limit error", () => {
      const file = join(dir, "crlf.ndjson");
      const body = jsonBody().replace(/\n/g, "");
      const exact = body + " ".repeat(DEFAULT_MAX_BYTES - Buffer.byteLength(body));
      writeFileSync(file, `${exact}\r\n${exact} \n${exact}\r\n`);
      const run = cli(["validate", "--json", file]);
      expect(reports(run.stdout).map((report) => [report.file, report.kind])).to.deep.equal([
        [`${file}:1`, null],
        [`${file}:2`, "limit"],
        [`${file}:3`, null],
      ]);
      expect(reports(run.stdout)[1]?.issues).to.deep.equal([{ path: "", message: `body is ${DEFAULT_MAX_BYTES + 1} bytes, over the limit of ${DEFAULT_MAX_BYTES}` }]);
    });
  });

  describe("validate --workers N: at most 4 threads per core, so memory stays flat whatever N", () => {
    const cap = 4 * availableParallelism();

    it(`--workers 1024: lowered to ${cap} (4 per core), said on stderr, the same results`, () => {
      const files = [0, 1, 2].map((i) => join(dir, `w${i}.json`));
      for (const file of files) writeFileSync(file, jsonBody());
      const run = cli(["validate", "--workers", "1024", ...files]);
      expect(run.status).to.equal(0);
      expect(run.stderr).to.equal(`ci-callback validate: --workers 1024 lowered to ${cap} (4 per core)\n`);
      expect(run.stdout.split("\n").filter((line) => line.startsWith("valid  "))).to.have.length(3);
    });

    it(`validateArchive with workers: 1024 starts ${cap} threads and holds at most 4 batches per thread`, async () => {
      const { validateArchive } = require(join(repoRoot, "dist", "src", "archive", "validate-archive.js")) as typeof ValidateArchiveModule;
      // More batches than 4 per thread can hold: 200 batches of 64 files.
      const file = join(dir, "one.json");
      writeFileSync(file, jsonBody());
      const progress = await validateArchive(Array<string>(200 * 64).fill(file), { strict: false, json: true, workers: 1024, write: () => undefined });
      expect(progress.threads).to.equal(cap);
      expect(progress.valid).to.equal(200 * 64);
      expect(progress.peakInFlight).to.be.at.most(4 * cap);
    });
  });
});
