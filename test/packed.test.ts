// The package as a service that only parses gets it: `npm pack`, installed (production) from the tarball into a
// project of its own outside the repository, without bullmq or ioredis. Its size, CommonJS, an ES module,
// TypeScript (nodenext), the CLI through npx, the inbox's error naming what to install, and esbuild bundles.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { build, type Format } from "esbuild";
import { ensureBuilt } from "./support/built";
import { ListenProcess } from "./support/cli-process";
import { examplesDir, repoRoot } from "./support/examples";
import { send } from "./support/http";
import { bytesOf, installConsumer, installed, pack, run } from "./support/packed";
import { PARSER_PACKAGES, bundledPackages, runtimePackages } from "./support/packages";

const seed = join(examplesDir, "VideoEnhance", "seed-2.xml");

/** The README's footprint target for a service that only parses. */
const MAX_PACKAGES = 6;
const MAX_BYTES = 5.5e6;

describe("the packed package, installed by a consumer that only parses", function () {
  // npm pack, npm install, tsc, npx and esbuild in child processes: their exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  let dir = "";
  let consumer = "";

  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-packed-"));
    consumer = join(dir, "consumer");
    installConsumer(consumer, pack(dir));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("installs only what the runtime loads: at most 6 packages and 5.5 MB, no install scripts", () => {
    // The parser's xml-js (sax), validate's tinyglobby (fdir, picomatch); bullmq and ioredis are optional peers.
    const { required } = runtimePackages(join(repoRoot, "package-lock.json"));
    expect(required).to.include.members(["tinyglobby", "xml-js"]).and.not.include.members(["bullmq", "ioredis"]);
    const packages = installed(join(consumer, "node_modules"));
    expect(packages.map((p) => p.name)).to.deep.equal(["ci-callback", ...required].sort());
    expect(packages.length).to.be.at.most(MAX_PACKAGES);
    expect(bytesOf(join(consumer, "node_modules"))).to.be.at.most(MAX_BYTES);
    expect(packages.filter((p) => p.installScripts.length > 0).map((p) => p.name)).to.deep.equal([]);
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

  it("compiles (its types checked, no skipLibCheck: none names bullmq or ioredis) and runs as a TypeScript consumer with module nodenext", () => {
    writeFileSync(
      join(consumer, "typed.mts"),
      `import { readFileSync } from "node:fs";
       import { isKnownCallback, isKnownJob, parseCallback } from "ci-callback";
       import type { CallbackInbox } from "ci-callback";
       export const inboxes: CallbackInbox[] = [];
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

  it("runs `npx ci-callback validate DIR` on worker threads, in order", () => {
    const bodies = join(dir, "bodies");
    mkdirSync(bodies);
    // Enough files for two batches of the pool, so that both threads get one.
    for (let i = 0; i < 130; i++) copyFileSync(seed, join(bodies, `${String(i).padStart(3, "0")}.xml`));
    const validate = (workers: string) => spawnSync("npx", ["--no-install", "ci-callback", "validate", "--workers", workers, bodies], { cwd: consumer, encoding: "utf8" });
    const [one, two] = [validate("1"), validate("2")];
    expect(two.stderr).to.match(/^checked 130 callbacks in 130 files: 130 valid, 0 invalid; .* on 2 threads\n$/);
    expect(two.status).to.equal(0);
    expect(two.stdout.split("\n").filter((line) => line !== "")).to.have.length(130);
    expect(two.stdout).to.equal(one.stdout);
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

  it("throws an error naming `npm install bullmq ioredis` when the inbox, the worker or `ci-callback inbox` is used, on a cluster and in shards too", () => {
    // A cluster and shards need ioredis's Cluster and cluster-key-slot (ioredis's dependency): the error comes first.
    const script = `const inbox = require("ci-callback/inbox");
      const options = [
        { connection: "redis://127.0.0.1:1", queueName: "q" },
        { connection: { cluster: [{ host: "127.0.0.1", port: 1 }] }, queueName: "q" },
        { connection: "redis://127.0.0.1:1", queueName: "q", shards: 4 },
      ];
      for (const make of [inbox.createCallbackInbox, inbox.createCallbackWorker]) {
        for (const option of options) {
          try { make(option); console.log("made"); } catch (error) { console.log(error.message); }
        }
      }`;
    const expected = "the inbox needs bullmq and ioredis, optional peer dependencies of ci-callback, and bullmq is not installed: run `npm install bullmq ioredis`";
    expect(run(process.execPath, ["-e", script], consumer).split("\n")).to.deep.equal(Array(6).fill(expected));
    for (const where of [[], ["--cluster", "127.0.0.1:1", "--shards", "4"]]) {
      const cli = spawnSync("npx", ["--no-install", "ci-callback", "inbox", "status", "--queue", "q", ...where], { cwd: consumer, encoding: "utf8" });
      expect(cli.status).to.not.equal(0);
      expect(cli.stderr).to.include("run `npm install bullmq ioredis`");
    }
  });

  for (const format of ["esm", "cjs"] as const satisfies Format[]) {
    it(`bundles with esbuild as ${format.toUpperCase()} without bullmq, and the bundle runs on its own`, async () => {
      writeFileSync(
        join(consumer, "entry.mjs"),
        `import { readFileSync } from "node:fs";
         import { gzipSync } from "node:zlib";
         import { createCallbackListener, createFetchHandler, exampleBody, parseCallback, safeParseCallback } from "ci-callback";
         async function main() {
           const invalid = safeParseCallback("[1,]");
           const tag = parseCallback(readFileSync(process.argv[2])).JobsDetail[0].Tag;
           // The receiver too: a gzipped body (node:zlib) whose key is hashed for dedup (node:crypto).
           const listener = createCallbackListener({ secret: false });
           let handled = "";
           listener.on("TaskFinish", (callback) => void (handled = callback.JobsDetail[0].Tag));
           const body = gzipSync(exampleBody("Transcode", "xml"));
           const answer = await createFetchHandler(listener)(new Request("http://localhost/", { method: "POST", body, headers: { "content-encoding": "gzip" } }));
           console.log(tag, invalid.ok || invalid.error.issues[0].message, answer.status, handled);
         }
         main();`,
      );
      // Outside the consumer, so that nothing left out of the bundle could be found in its node_modules.
      const outfile = join(dir, `bundled-${format}`, format === "esm" ? "entry.mjs" : "entry.cjs");
      const { metafile } = await build({
        entryPoints: [join(consumer, "entry.mjs")],
        bundle: true,
        platform: "node",
        format,
        minify: true,
        outfile,
        metafile: true,
        logLevel: "silent",
      });
      expect(bundledPackages(metafile.inputs)).to.deep.equal(["ci-callback", ...PARSER_PACKAGES].sort());
      expect(statSync(outfile).size).to.be.below(2e6);
      expect(run(process.execPath, [outfile, seed], dir)).to.equal("VideoEnhance JSON is not well-formed at line 1, column 4: value expected 200 Transcode");
    });
  }
});
