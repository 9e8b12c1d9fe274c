// The built package bundled by esbuild with its defaults for node (`esbuild dist/src/index.js --bundle
// --platform=node`): the bundle runs where no node_modules can be found, and holds only what the runtime loads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { build } from "esbuild";
import { ensureBuilt } from "./support/built";
import { examplesDir, repoRoot } from "./support/examples";
import { PARSER_PACKAGES, bundledPackages } from "./support/packages";

describe("an esbuild bundle of the built package", function () {
  // esbuild and node in child processes: their exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  let dir = "";

  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-bundle-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs on its own: parses the seed callback and places a JSON syntax error", async () => {
    const { metafile } = await build({
      entryPoints: [join(repoRoot, "dist", "src", "index.js")],
      bundle: true,
      platform: "node",
      outfile: join(dir, "bundle.js"),
      metafile: true,
      logLevel: "silent",
    });
    // The parser's packages and @opentelemetry/api (an optional peer, required on first use, a dev dependency
    // here): the inbox (bullmq, ioredis) is the ci-callback/inbox entry's.
    expect(bundledPackages(metafile.inputs)).to.deep.equal([...PARSER_PACKAGES, "@opentelemetry/api"].sort());
    writeFileSync(
      join(dir, "run.js"),
      `const { parseCallback, safeParseCallback } = require("./bundle.js");
       const callback = parseCallback(require("node:fs").readFileSync(process.argv[2]));
       const invalid = safeParseCallback('{"EventName": "TaskFinish",}');
       console.log(callback.JobsDetail[0].Tag, invalid.ok || invalid.error.kind, invalid.ok || invalid.error.issues[0].message);`,
    );
    const seed = join(examplesDir, "VideoEnhance", "seed-2.xml");
    const out = execFileSync(process.execPath, ["run.js", seed], { cwd: dir, encoding: "utf8" }).trim();
    expect(out).to.equal("VideoEnhance parse JSON is not well-formed at line 1, column 28: property name expected");
  });
});
