// `ci-callback validate` over archives: directories, globs, NDJSON files, --json, --workers, progress, and a
// generated archive of 20k callbacks checked within a bounded number of batches in flight.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type * as ValidateArchiveModule from "../../src/archive/validate-archive";
import type * as ProgressLineModule from "../../src/archive/progress-line";
import { jsonBody, xmlBody } from "../support/bodies";
import { cliPath, ensureBuilt } from "../support/built";
import { repoRoot } from "../support/examples";

/** Runs the built CLI to completion. */
function cli(args: string[], cwd = repoRoot): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", cwd, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

/** The name and verdict of each `--json` line. */
function verdicts(stdout: string): [string, string][] {
  return lines(stdout).map((line) => {
    const report = JSON.parse(line) as { file: string; ok: boolean; kind: string | null };
    return [report.file, report.ok ? "ok" : String(report.kind)];
  });
}

const invalidJson = jsonBody({ State: "Done" });

describe("validate over archives", function () {
  // Waits end on events (a job state, a child's exit); this bound is for a hang on a loaded machine.
  this.timeout(300_000);
  let dir = "";

  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-archive-"));
    // tree/a.xml, tree/sub/b.json, tree/sub/deeper/c.json (invalid), tree/notes.txt (not a callback file)
    mkdirSync(join(dir, "tree", "sub", "deeper"), { recursive: true });
    writeFileSync(join(dir, "tree", "a.xml"), xmlBody());
    writeFileSync(join(dir, "tree", "sub", "b.json"), jsonBody());
    writeFileSync(join(dir, "tree", "sub", "deeper", "c.json"), invalidJson);
    writeFileSync(join(dir, "tree", "notes.txt"), "not a callback");
    mkdirSync(join(dir, "good"));
    writeFileSync(join(dir, "good", "one.xml"), xmlBody());
    writeFileSync(join(dir, "good", "two.json"), jsonBody());
    // Good, blank, bad and whitespace lines; CRLF; XML on a line; the last line without a newline.
    writeFileSync(join(dir, "mixed.ndjson"), [jsonBody(), "", "{bad", "   ", `${jsonBody()}\r`, xmlBody(), invalidJson, jsonBody()].join("\n"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("walks a directory recursively, picking only callback files", () => {
    const run = cli(["validate", "--json", join(dir, "tree")]);
    expect(run.status).to.equal(1);
    expect(verdicts(run.stdout).sort()).to.deep.equal([
      [join(dir, "tree", "a.xml"), "ok"],
      [join(dir, "tree", "sub", "b.json"), "ok"],
      [join(dir, "tree", "sub", "deeper", "c.json"), "validation"],
    ]);
    expect(run.stderr).to.match(/^checked 3 callbacks in 3 files: 2 valid, 1 invalid; /);
  });

  it("exits 0 for a directory of valid bodies, 3 for one that does not exist", () => {
    expect(cli(["validate", join(dir, "good")]).status).to.equal(0);
    const gone = cli(["validate", join(dir, "no-such-dir")]);
    expect(gone.status).to.equal(3);
    expect(gone.stderr.split("\n")[0]).to.equal(`ci-callback validate: cannot read ${join(dir, "no-such-dir")}: no such file or directory (ENOENT)`);
  });

  it("matches a quoted glob, relative or absolute", () => {
    const relative = cli(["validate", "--json", "tree/**/*.json"], dir);
    expect(verdicts(relative.stdout)).to.deep.equal([
      ["tree/sub/b.json", "ok"],
      ["tree/sub/deeper/c.json", "validation"],
    ]);
    expect(relative.status).to.equal(1);
    const absolute = cli(["validate", "--json", join(dir, "tree", "**", "*.xml")]);
    expect(verdicts(absolute.stdout)).to.deep.equal([[join(dir, "tree", "a.xml"), "ok"]]);
    expect(absolute.status).to.equal(0);
  });

  it("exits 3 for a glob that matches nothing", () => {
    const run = cli(["validate", join(dir, "*.nothing")]);
    expect(run.status).to.equal(3);
    expect(run.stderr.split("\n")[0]).to.equal(`ci-callback validate: cannot read ${join(dir, "*.nothing")}: no file matches this pattern`);
  });

  it("checks an NDJSON file a line at a time, naming FILE:LINE and skipping blank lines", () => {
    const file = join(dir, "mixed.ndjson");
    const run = cli(["validate", "--json", file]);
    expect(run.status).to.equal(1);
    expect(verdicts(run.stdout)).to.deep.equal([
      [`${file}:1`, "ok"],
      [`${file}:3`, "parse"],
      [`${file}:5`, "ok"],
      [`${file}:6`, "ok"],
      [`${file}:7`, "validation"],
      [`${file}:8`, "ok"],
    ]);
    const human = lines(cli(["validate", file]).stdout).filter((line) => !line.startsWith(" "));
    expect(human.map((line) => line.split("  ").slice(0, 2).join("  "))).to.deep.equal([
      `valid  ${file}:1`,
      `INVALID  ${file}:3`,
      `valid  ${file}:5`,
      `valid  ${file}:6`,
      `INVALID  ${file}:7`,
      `valid  ${file}:8`,
    ]);
  });

  it("refuses an NDJSON line over the 1 MiB limit without holding it, and goes on with the next", () => {
    const file = join(dir, "long.ndjson");
    writeFileSync(file, [jsonBody(), `{"pad":"${"x".repeat(3 * 1024 * 1024)}"}`, jsonBody()].join("\n"));
    const run = cli(["validate", "--json", file]);
    expect(run.status).to.equal(1);
    const reports = lines(run.stdout).map((line) => JSON.parse(line) as { file: string; kind: string; issues: { message: string }[] });
    expect(reports.map((r) => [r.file, r.kind])).to.deep.equal([
      [`${file}:1`, null],
      [`${file}:2`, "limit"],
      [`${file}:3`, null],
    ]);
    expect(reports[1]?.issues[0]?.message).to.equal(`body is ${3 * 1024 * 1024 + 10} bytes, over the limit of 1048576`);
  });

  it("gives the same results, in the same order, on 1 and on 2 workers", () => {
    const args = ["validate", "--json", join(dir, "tree"), join(dir, "mixed.ndjson"), join(dir, "good", "one.xml")];
    const one = cli([...args, "--workers", "1"]);
    const two = cli([...args, "--workers", "2"]);
    expect(one.stdout).to.equal(two.stdout);
    expect(lines(one.stdout)).to.have.length(10);
    expect([one.status, two.status]).to.deep.equal([1, 1]);
    expect(one.stderr).to.match(/ on the main thread\n$/);
    expect(two.stderr).to.match(/ on 2 threads\n$/);
  });

  it("refuses a --workers that is not a whole number from 1 to 1024", () => {
    for (const workers of ["0", "two", "1025"]) {
      const run = cli(["validate", "--workers", workers, join(dir, "good")]);
      expect(run.status).to.equal(2);
      expect(run.stderr.split("\n")[0]).to.equal(`ci-callback validate: --workers must be a whole number from 1 to 1024, not "${workers}"`);
    }
  });

  it("draws no progress line when stderr is not a terminal: only the summary", () => {
    const run = cli(["validate", join(dir, "mixed.ndjson")]);
    expect(run.stderr).not.to.match(/[\r\x1b]/);
    expect(lines(run.stderr)).to.deep.equal([lines(run.stderr)[0]]);
    expect(run.stderr).to.match(/^checked 6 callbacks in 1 file: 4 valid, 2 invalid; [\d.]+ s, \d+\/s on /);
  });

  it("words the progress line: files, callbacks per second, invalid so far, and the ETA once all are listed", () => {
    const { progressText, duration } = require(join(repoRoot, "dist", "src", "archive", "progress-line.js")) as typeof ProgressLineModule;
    const { newProgress } = require(join(repoRoot, "dist", "src", "archive", "validate-archive.js")) as typeof ValidateArchiveModule;
    const progress = { ...newProgress(), files: 3, valid: 900, invalid: 100 };
    expect(progressText(progress, 2000)).to.equal("[------------------------] 3 files  1000 callbacks  500/s  100 invalid  ETA -");
    progress.listed = 4;
    progress.partial = 0.5;
    // 3.5 of 4 files in 2 s: 0.29 s to go.
    expect(progressText(progress, 2000)).to.equal("[#####################---] 3/4 files  1000 callbacks  500/s  100 invalid  ETA 0:00");
    expect(progressText({ ...progress, files: 1, partial: 0 }, 60_000)).to.match(/ETA 3:00$/);
    expect(duration(3_725_000)).to.equal("1:02:05");
  });

  describe("a generated archive of 20k callbacks", () => {
    const count = 20_000;
    let archive = "";

    before(() => {
      archive = join(dir, "large.ndjson");
      const body = jsonBody();
      // Every 1000th callback is invalid.
      const text = Array.from({ length: count }, (_, i) => (i % 1000 === 999 ? invalidJson : body.replace('"j1"', `"j${i}"`))).join("\n");
      writeFileSync(archive, `${text}\n`);
    });

    it("is checked on 2 workers with never more than maxInFlight batches handed out and not yet printed", async () => {
      const { validateArchive } = require(join(repoRoot, "dist", "src", "archive", "validate-archive.js")) as typeof ValidateArchiveModule;
      let printedLines = 0;
      let invalidLines = 0;
      let batches = 0;
      const progress = await validateArchive([archive], {
        strict: false,
        json: true,
        workers: 2,
        maxInFlight: 2,
        write: (result) => {
          batches++;
          for (const line of lines(result.out)) {
            printedLines++;
            if (!(JSON.parse(line) as { ok: boolean }).ok) invalidLines++;
          }
        },
      });
      expect([printedLines, invalidLines]).to.deep.equal([count, count / 1000]);
      expect(progress).to.include({ valid: count - count / 1000, invalid: count / 1000, unreadable: 0, files: 1, threads: 2 });
      // 2.4 MB of lines in 1 MiB batches: more batches than the bound, so the bound is what held them back.
      expect(batches).to.be.above(2);
      expect(progress.peakInFlight).to.equal(2);
    });

    it("draws a progress line on a terminal's stderr (a pseudo-terminal from util-linux script) and clears it", () => {
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} validate ${JSON.stringify(archive)} > /dev/null`;
      const run = spawnSync("script", ["-q", "-e", "-c", command, "/dev/null"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      expect(run.status).to.equal(1);
      expect(run.stdout).to.match(/\r\[[#-]{24}\] \d+(\/1)? files {2}\d+ callbacks {2}\d+\/s {2}\d+ invalid {2}ETA /);
      // Cleared before the summary, which stays.
      expect(run.stdout).to.match(/\r\x1b\[Kchecked 20000 callbacks in 1 file: 19980 valid, 20 invalid; /);
    });

    it("stops quietly when the reader of its output goes away (| head)", () => {
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} validate ${JSON.stringify(archive)} | head -n 2`;
      const run = spawnSync("sh", ["-c", command], { encoding: "utf8" });
      expect(run.status).to.equal(0);
      expect(lines(run.stdout)).to.have.length(2);
      expect(run.stderr).to.equal("");
    });

    it("prints one line per callback from the CLI and exits 1", () => {
      const run = cli(["validate", "--json", archive]);
      expect(run.status).to.equal(1);
      const printed = lines(run.stdout);
      expect(printed).to.have.length(count);
      expect((JSON.parse(printed[999] as string) as { file: string; ok: boolean })).to.deep.include({ file: `${archive}:1000`, ok: false });
      expect(run.stderr).to.match(new RegExp(`^checked ${count} callbacks in 1 file: ${count - 20} valid, 20 invalid; `));
    });
  });
});
