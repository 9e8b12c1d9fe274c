import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { expect } from "chai";
import { Redis } from "ioredis";
import { DEFAULT_PREFIX, queueKeys } from "../../src/inbox/connection";
import { jobIdOfKey } from "../../src/inbox/stored-callback";
import { ensureBuilt } from "../support/built";
import { repoRoot } from "../support/examples";
import { eventBody, keyOf, waitFor } from "../support/inbox";
import { freePort } from "../support/redis";
import { startRedisServer, type RedisServer } from "../support/redis-server";

/** The README's deployment example: the TypeScript block that calls shutdownReceiver. */
function deploymentSnippet(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const block = [...readme.matchAll(/```ts\n(import [^]*?)```/g)].map((m) => m[1] ?? "").find((code) => code.includes("shutdownReceiver("));
  if (block === undefined) throw new Error("the README has no deployment example calling shutdownReceiver");
  return block;
}

/** POSTs `body` on a keep-alive connection; resolves with the status, or undefined when the connection failed. */
function postKeepAlive(agent: Agent, url: string, body: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
      res.on("error", () => resolve(undefined));
    });
    req.on("error", () => resolve(undefined));
    req.end(body);
  });
}

describe("inbox: the README's deployment shut down by SIGTERM under load (real redis-server, a child process)", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  before(async () => {
    ensureBuilt();
    redis = await startRedisServer({ aof: true });
  });
  after(async () => {
    await redis?.remove();
  });

  it("exits by itself within a few seconds, with every acknowledged callback stored", async () => {
    const file = join(repoRoot, "test", "package", `deployment-${randomUUID()}.ts`);
    writeFileSync(file, `${deploymentSnippet()}\nasync function saveOutputs(..._args: unknown[]): Promise<void> {}\n`);
    const port = await freePort();
    const child = spawn(process.execPath, ["--require", "tsx/cjs", file], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: redis.url, CI_CALLBACK_SECRET: "s3cret", PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const url = `http://127.0.0.1:${port}/?token=s3cret`;
    const acked: string[] = [];
    try {
      await waitFor("the receiver to listen", async () => (await postKeepAlive(agent, url, eventBody("j-probe"))) === 200, 30_000);
      // 16 senders, distinct events, until the receiver stops answering.
      let next = 0;
      let refused = 0;
      const senders = Array.from({ length: 16 }, async () => {
        while (refused < 16) {
          const jobId = `j-load-${next++}`;
          const status = await postKeepAlive(agent, url, eventBody(jobId));
          if (status === 200) acked.push(jobId);
          if (status === undefined) refused++;
        }
      });
      await waitFor("200 acknowledgements under load", () => acked.length >= 200, 30_000);
      const sentAt = Date.now();
      child.kill("SIGTERM");
      // Bounded: a process that never ends is the failure this test is for.
      const ended = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(resolve, 15_000, undefined))]);
      const tookMs = Date.now() - sentAt;
      expect(ended, `still running 15 s after SIGTERM: ${stderr}`).not.to.equal(undefined);
      const [code, signal] = ended ?? [null, null];
      await Promise.all(senders);
      expect({ code, signal }, stderr).to.deep.equal({ code: 0, signal: null });
      expect(tookMs).to.be.below(5000);
    } finally {
      agent.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(file, { force: true });
    }

    // Every acknowledged callback is in Redis: waiting in the ingest stream (its ingest mark) or as a job, or
    // handled (its dedup mark kept).
    const client = new Redis(redis.url);
    try {
      const keys = queueKeys(DEFAULT_PREFIX, "ci-callbacks");
      const missing: string[] = [];
      for (const jobId of ["j-probe", ...acked]) {
        const id = jobIdOfKey(keyOf(eventBody(jobId)) ?? "");
        if ((await client.exists(keys.base + id, keys.mark(id), keys.ingestMark(id))) === 0) missing.push(jobId);
      }
      expect(missing).to.deep.equal([]);
      expect(acked.length).to.be.at.least(200);
    } finally {
      client.disconnect();
    }
  });
});
