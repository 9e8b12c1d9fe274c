import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseCallback } from "../src";
import { jsonBody } from "./support/bodies";
import { cliPath, ensureBuilt } from "./support/built";
import { examplesDir } from "./support/examples";

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the ci-callback command", () => {
  const seedXml = join(examplesDir, "VideoEnhance", "seed-2.xml");
  const seedJson = join(examplesDir, "VideoEnhance", "seed-3.json");
  let invalid: string;

  before(() => {
    ensureBuilt();
    invalid = join(mkdtempSync(join(tmpdir(), "ci-callback-")), "invalid.json");
    writeFileSync(invalid, jsonBody({ State: "Done" }));
  });

  it("validate exits 0 when every file is valid and prints a line each", () => {
    const run = cli("validate", seedXml, seedJson);
    expect(run.status).to.equal(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^valid {2}.*seed-2\.xml {2}TaskFinish {2}VideoEnhance {2}j7d0eafdaf86c11ecbdf419856486c0ab {2}Success/);
  });

  it("validate exits 1 when any file is invalid, naming the path of each issue", () => {
    const run = cli("validate", seedXml, invalid);
    expect(run.status).to.equal(1);
    expect(run.stdout).to.include("INVALID  ");
    expect(run.stdout).to.include("/JobsDetail/0/State: must be one of");
  });

  it("validate --json prints machine-readable reports", () => {
    const run = cli("validate", "--json", seedXml, invalid, join(tmpdir(), "no-such-file.xml"));
    expect(run.status).to.equal(1);
    const reports = JSON.parse(run.stdout) as { ok: boolean; error?: { kind: string; issues: { path: string }[] } }[];
    expect(reports.map((r) => r.ok)).to.deep.equal([true, false, false]);
    expect(reports[1].error?.kind).to.equal("validation");
    expect(reports[1].error?.issues[0].path).to.equal("/JobsDetail/0/State");
    expect(reports[2].error?.kind).to.equal("read");
  });

  it("validate --strict reports unknown nodes", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ci-callback-")), "unknown.json");
    writeFileSync(file, jsonBody({ Surprise: "x" }));
    expect(cli("validate", file).status).to.equal(0);
    const run = cli("validate", "--strict", file);
    expect(run.status).to.equal(1);
    expect(run.stdout).to.include("/JobsDetail/0/Surprise: is not in the schema");
  });

  it("convert prints the canonical JSON", () => {
    const run = cli("convert", seedXml);
    expect(run.status).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal(parseCallback(readFileSync(seedJson)));
  });

  it("convert exits 1 with the error on stderr", () => {
    const run = cli("convert", invalid);
    expect(run.status).to.equal(1);
    expect(run.stdout).to.equal("");
    expect(run.stderr).to.include("validation error");
  });

  it("exits 2 on a usage error", () => {
    expect(cli().status).to.equal(2);
    expect(cli("convert").status).to.equal(2);
    expect(cli("validate", "--bogus", seedXml).status).to.equal(2);
  });
});
