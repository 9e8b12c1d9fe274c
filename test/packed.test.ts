// The package as a consumer gets it: `npm pack`, installed from the tarball into a project of its own outside
// the repository, then used from CommonJS, an ES module, TypeScript (nodenext) and an esbuild bundle.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { build } from "esbuild";
import { ensureBuilt } from "./support/built";
import { ListenProcess } from "./support/cli-process";
import { examplesDir, repoRoot } from "./support/examples";
import { send } from "./support/http";
import { INBOX_PACKAGES, PARSER_PACKAGES, bundledPackages, installedPackages, runtimePackages } from "./support/packages";

const seed = join(examplesDir, "VideoEnhance", "seed-2.xml");

// Without the npm_* variables `npm test` sets, so that the consumer's npm sees only its own project.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

describe("the packed package, installed by a consumer", function () {
  // npm pack, npm install, tsc and esbuild in child processes: their exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  let dir = "";
  let consumer = "";

  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-packed-"));
    consumer = join(dir, "consumer");
    mkdirSync(consumer);
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], repoRoot)) as { filename: string }[];
    const tarball = join(dir, packed?.filename ?? "");
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    const install = ["install", "--no-audit", "--no-fund", tarball];
    // From the npm cache when it has everything; from the registry when it does not.
    try {
      run("npm", [...install, "--offline"], consumer);
    } catch {
      run("npm", install, consumer);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("installs only what the runtime loads", () => {
    // The parser's xml-js, the inbox's bullmq and ioredis, validate's piscina and tinyglobby, with
    // what they depend on (piscina's @napi-rs/nice is optional, one build per platform).
    const { required, optional } = runtimePackages(join(repoRoot, "package-lock.json"));
    expect(required).to.include.members(["bullmq", "ioredis", "piscina", "tinyglobby", "xml-js"]);
    const installed = installedPackages(join(consumer, "node_modules"));
    expect(installed.filter((name) => !optional.includes(name))).to.deep.equal(["ci-callback", ...required].sort());
  });

  it("works from CommonJS (require)", () => {
    const script = `const { parseCallback } = require("ci-callback");
      console.log(parseCallback(require("node:fs").readFileSync(${JSON.stringify(seed)})).JobsDetail[0].Tag);`;
    expect(run(process.execPath, ["-e", script], consumer)).to.equal("VideoEnhance");
  });

  it("works from an ES module (import)", () => {
    writeFileSync(
      join(consumer, "esm.mjs"),
      `import { readFileSync } from "node:fs";
       import { parseCallback } from "ci-callback";
       console.log(parseCallback(readFileSync(${JSON.stringify(seed)})).JobsDetail[0].Tag);`,
    );
    expect(run(process.execPath, ["esm.mjs"], consumer)).to.equal("VideoEnhance");
  });

  it("compiles and runs as a TypeScript consumer with module nodenext", () => {
    writeFileSync(
      join(consumer, "typed.mts"),
      `import { readFileSync } from "node:fs";
       import { isKnownCallback, isKnownJob, parseCallback } from "ci-callback";
       const callback = parseCallback(readFileSync(${JSON.stringify(seed)}));
       if (!isKnownCallback(callback) || callback.EventName !== "TaskFinish") throw new Error(\`not a TaskFinish: \${callback.EventName}\`);
       const job = callback.JobsDetail[0];
       const width: string | undefined = job && isKnownJob(job) && job.Tag === "VideoEnhance" ? job.Operation.MediaInfo?.Stream?.Video?.[0]?.Width : undefined;
       console.log(job?.Tag, width);`,
    );
    // The repository's tsc and its @types/node: the consumer installs nothing but the package.
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const typeRoots = join(repoRoot, "node_modules", "@types");
    const flags = ["--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022"];
    run(process.execPath, [tsc, ...flags, "--typeRoots", typeRoots, "--types", "node", "--outDir", "out", "typed.mts"], consumer);
    expect(run(process.execPath, [join("out", "typed.mjs")], consumer)).to.equal("VideoEnhance 544");
  });

  it("bundles with esbuild from an ES module, and the bundle runs on its own", async () => {
    writeFileSync(
      join(consumer, "entry.mjs"),
      `import { readFileSync } from "node:fs";
       import { parseCallback, safeParseCallback } from "ci-callback";
       const invalid = safeParseCallback("[1,]");
       console.log(parseCallback(readFileSync(process.argv[2])).JobsDetail[0].Tag, invalid.ok || invalid.error.issues[0].message);`,
    );
    // Outside the consumer, so that nothing left out of the bundle could be found in its node_modules.
    const outfile = join(dir, "bundled", "entry.js");
    const { metafile } = await build({
      entryPoints: [join(consumer, "entry.mjs")],
      bundle: true,
      platform: "node",
      outfile,
      metafile: true,
      logLevel: "silent",
    });
    expect(bundledPackages(metafile.inputs)).to.deep.equal(["ci-callback", ...PARSER_PACKAGES, ...INBOX_PACKAGES].sort());
    expect(run(process.execPath, [outfile, seed], dir)).to.equal(
      "VideoEnhance JSON is not well-formed at line 1, column 4: value expected",
    );
  });

  it("ships the inspector's page: listen --inspect from the installed package serves it", async () => {
    const cli = join(consumer, "node_modules", "ci-callback", "dist", "src", "cli", "main.js");
    const listen = new ListenProcess(spawn(process.execPath, [cli, "listen", "--port", "0", "--inspect"], { cwd: consumer }));
    try {
      const origin = /http:\/\/127\.0\.0\.1:\d+/.exec(await listen.line(/^inspector on /))?.[0] ?? "";
      const html = await send(`${origin}/`, { method: "GET" });
      expect(html.status).to.equal(200);
      const scripts = [...html.text.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts).to.deep.equal(["/inspector.js"]);
      // The page's script and every module it imports, and they import, are served.
      const modules = ["inspector.js"];
      for (const module of modules) {
        const script = await send(`${origin}/${module}`, { method: "GET" });
        expect(script.status, module).to.equal(200);
        for (const [, imported] of script.text.matchAll(/from "\.\/([\w-]+\.js)"/g)) if (!modules.includes(imported)) modules.push(imported);
      }
      expect(modules.length).to.be.greaterThan(4);
      expect((await send(`${origin}/inspector.css`, { method: "GET" })).status).to.equal(200);
    } finally {
      await listen.stop();
    }
  });
});
