// The package as a service with the durable inbox gets it: the tarball installed (production) with bullmq and
// ioredis beside it, the optional peers. An inbox, a listener and a worker carry a callback through a real
// redis-server, from the install as it is and from esbuild bundles of it (ESM and CommonJS) run on their own.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { build, type BuildOptions } from "esbuild";
import { ensureBuilt } from "./support/built";
import { repoRoot } from "./support/examples";
import { bytesOf, installConsumer, installed, pack, repositoryVersion, run } from "./support/packed";
import { INBOX_PACKAGES, PARSER_PACKAGES, bundledPackages } from "./support/packages";
import { startRedisServer, type RedisServer } from "./support/redis-server";

/** The README's note for an ES module bundle: bullmq and ioredis are CommonJS that require node's modules. */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * A receiver and a worker in one process: one callback POSTed, stored, handled; prints the answer and the job's
 * Tag. With a shard count (which loads cluster-key-slot, ioredis's dependency, for the shards' hash tags).
 */
const consumerCode = `import { once } from "node:events";
import { createServer } from "node:http";
import { createCallbackListener, exampleBody } from "ci-callback";
import { createCallbackInbox, createCallbackWorker } from "ci-callback/inbox";

async function main() {
  const [connection, queueName, shards] = process.argv.slice(2);
  const inbox = createCallbackInbox({ connection, queueName, shards: Number(shards) });
  const worker = createCallbackWorker({ connection, queueName, shards: Number(shards) });
  const handled = new Promise((resolve) => worker.on("TaskFinish", (callback) => resolve(callback.JobsDetail[0].Tag)));
  const server = createServer(createCallbackListener({ secret: false, inbox })).listen(0, "127.0.0.1");
  await once(server, "listening");
  const answer = await fetch(\`http://127.0.0.1:\${server.address().port}/\`, { method: "POST", body: exampleBody("Transcode", "json") });
  console.log(answer.status, await handled);
  server.close();
  await worker.close();
  await inbox.close();
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

describe("the packed package, installed by a consumer with the inbox (bullmq and ioredis)", function () {
  // Child processes (npm, tsc, esbuild, quicktype, python3, typedoc) whose exits end each wait; this bound is for a hang.
  this.timeout(600_000);
  let dir = "";
  let consumer = "";
  let redis: RedisServer | undefined;
  let queues = 0;

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-packed-inbox-"));
    consumer = join(dir, "consumer");
    installConsumer(consumer, pack(dir), [repositoryVersion("bullmq"), repositoryVersion("ioredis")]);
    writeFileSync(join(consumer, "inbox.mjs"), consumerCode);
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `file` (in `cwd`) against the test's Redis, on a queue of its own, in one queue and in 3 shards. */
  const runConsumer = (file: string, cwd: string): string[] =>
    [1, 3].map((shards) => run(process.execPath, [file, redis?.url ?? "", `packed-${queues++}`, String(shards)], cwd));

  it("installs one copy of ioredis, shared by bullmq and the package", () => {
    const packages = installed(join(consumer, "node_modules"));
    expect(packages.filter((p) => p.name === "ioredis")).to.have.length(1);
    expect(packages.map((p) => p.name)).to.include.members(["ci-callback", "bullmq", "ioredis", ...PARSER_PACKAGES]);
    // What the README's footprint table says, within a margin for the peers' own releases.
    expect(bytesOf(join(consumer, "node_modules"))).to.be.below(20e6);
  });

  it("types ci-callback/inbox for TypeScript consumers, nodenext (exports) and node10 (typesVersions)", () => {
    const code = `import { createCallbackWorker, type CallbackWorkerOptions } from "ci-callback/inbox";
      const options: CallbackWorkerOptions = { connection: { host: "127.0.0.1", port: 6379 }, queueName: "q" };
      export const make = () => createCallbackWorker(options);`;
    writeFileSync(join(consumer, "typed.mts"), code);
    writeFileSync(join(consumer, "typed-node10.ts"), code);
    // The repository's tsc and its @types/node; the peers' own declarations are theirs to check.
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const common = ["--noEmit", "--strict", "--skipLibCheck", "--typeRoots", join(repoRoot, "node_modules", "@types"), "--types", "node"];
    run(process.execPath, [tsc, ...common, "--module", "nodenext", "--moduleResolution", "nodenext", "typed.mts"], consumer);
    run(process.execPath, [tsc, ...common, "--module", "commonjs", "--moduleResolution", "node10", "--esModuleInterop", "typed-node10.ts"], consumer);
  });

  it("carries a callback from the listener through Redis to the worker", () => {
    expect(runConsumer("inbox.mjs", consumer)).to.deep.equal(["200 Transcode", "200 Transcode"]);
  });

  const bundles: { name: string; options: BuildOptions }[] = [
    { name: "CommonJS", options: { format: "cjs", outfile: join("bundled", "inbox.cjs") } },
    { name: "an ES module, with the README's createRequire banner", options: { format: "esm", outfile: join("bundled", "inbox.mjs"), banner: { js: ESM_REQUIRE_BANNER } } },
  ];
  for (const { name, options } of bundles) {
    it(`bundles with esbuild as ${name}, and the bundle carries a callback on its own`, async () => {
      // Outside the consumer, so that nothing left out of the bundle could be found in its node_modules.
      const outfile = join(dir, options.outfile ?? "");
      const { metafile } = await build({ ...options, entryPoints: [join(consumer, "inbox.mjs")], bundle: true, platform: "node", minify: true, outfile, metafile: true, logLevel: "silent" });
      expect(bundledPackages(metafile.inputs)).to.include.members(["ci-callback", "bullmq", "ioredis"]);
      expect(bundledPackages(metafile.inputs).filter((name) => !INBOX_PACKAGES.includes(name) && !PARSER_PACKAGES.includes(name))).to.deep.equal(["ci-callback"]);
      expect(runConsumer(outfile, dir)).to.deep.equal(["200 Transcode", "200 Transcode"]);
    });
  }
});
