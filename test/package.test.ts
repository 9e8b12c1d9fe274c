import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect } from "chai";
import { ensureBuilt } from "./support/built";
import { examplesDir, repoRoot } from "./support/examples";

const seed = join(examplesDir, "VideoEnhance", "seed-2.xml");

/** Runs a snippet in a fresh node, from the repository, where `ci-callback` resolves to this package. */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" }).trim();
}

describe("the package", function () {
  // node and tsc in child processes (tsc takes seconds): their exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  before(ensureBuilt);

  it("works for CommonJS consumers (require)", () => {
    const out = node([
      "-e",
      `const { parseCallback, CallbackError } = require("ci-callback");
       const cb = parseCallback(require("fs").readFileSync(${JSON.stringify(seed)}));
       console.log(cb.EventName === "TaskFinish" && cb.JobsDetail[0].Tag, typeof CallbackError);`,
    ]);
    expect(out).to.equal("VideoEnhance function");
  });

  it("works for ES module consumers (import)", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `import { readFileSync } from "node:fs";
       import { parseCallback, safeParseCallback } from "ci-callback";
       const cb = parseCallback(readFileSync(${JSON.stringify(seed)}));
       console.log(cb.EventName === "TaskFinish" && cb.JobsDetail[0].Tag, safeParseCallback("{}").ok);`,
    ]);
    expect(out).to.equal("VideoEnhance false");
  });

  it("loads nothing from node_modules when imported or parsing JSON or XML, and xml-js to write a sample as XML", () => {
    const out = node([
      "-e",
      `const loaded = () => [...new Set(Object.keys(require.cache).flatMap((f) => f.split("node_modules/").slice(1).map((p) => p.split("/")[0])))].sort().join(",");
       const { exampleBody, parseCallback } = require("ci-callback");
       const atImport = loaded();
       parseCallback(exampleBody("Transcode", "json"));
       const afterJson = loaded();
       const xml = exampleBody("Transcode", "xml");
       const afterWrite = loaded();
       parseCallback(xml);
       console.log(JSON.stringify([atImport, afterJson, afterWrite, loaded()]));`,
    ]);
    expect(out).to.equal('["","","sax,xml-js","sax,xml-js"]');
  });

  it("exports the schema files for other services", () => {
    const out = node([
      "-e",
      `const s = require("ci-callback/schema/task-finish.schema.json"); console.log(s.title, s.$id.endsWith("task-finish.schema.json"));`,
    ]);
    expect(out).to.equal("TaskFinishCallback true");
  });

  it("ships types that a nodenext TypeScript consumer compiles against", () => {
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const consumer = join(repoRoot, "test", "package", "consumer.mts");
    const args = [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", consumer];
    expect(() => execFileSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" })).not.to.throw();
  });
});
