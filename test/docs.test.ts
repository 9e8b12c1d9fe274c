// `npm run docs` (TypeDoc with typedoc.json) fails on an undocumented export and on a broken link: the
// repository's options, run on small projects of one file each.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { repoRoot } from "./support/examples";

describe("the API reference's build (typedoc.json)", function () {
  // Child processes (npm, tsc, esbuild, quicktype, python3, typedoc) whose exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  let dir = "";

  before(() => (dir = mkdtempSync(join(tmpdir(), "ci-callback-docs-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs TypeDoc with the repository's options on a project whose one entry point is `code`. */
  function typedoc(name: string, code: string): { status: number | null; output: string } {
    const project = join(dir, name);
    mkdirSync(project);
    writeFileSync(join(project, "index.ts"), code);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, types: [] }, files: ["index.ts"] }));
    // The repository's options, with this project's entry point, tsconfig and output.
    const options = { extends: [join(repoRoot, "typedoc.json")], entryPoints: ["index.ts"], tsconfig: "tsconfig.json", out: "out" };
    writeFileSync(join(project, "typedoc.json"), JSON.stringify(options));
    const run = spawnSync(process.execPath, [join(repoRoot, "node_modules", "typedoc", "bin", "typedoc")], { cwd: project, encoding: "utf8" });
    return { status: run.status, output: run.stdout + run.stderr };
  }

  it("builds a documented module", () => {
    const run = typedoc("documented", "/** The module. @module */\n/** Adds one. */\nexport function next(n: number): number {\n  return n + 1;\n}\n");
    expect(run.status, run.output).to.equal(0);
  });

  it("fails on an export without documentation, naming it", () => {
    const run = typedoc("undocumented", "/** The module. @module */\nexport function next(n: number): number {\n  return n + 1;\n}\n");
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/next.*does not have any documentation/);
  });

  it("fails on a link to nothing, naming it", () => {
    const run = typedoc("broken-link", "/** The module. @module */\n/** Adds one, as {@link previous} takes one. */\nexport function next(n: number): number {\n  return n + 1;\n}\n");
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/Failed to resolve link to "previous"/);
  });
});
