// What the listener says, captured from a real listener on 127.0.0.1: one line per failed delivery naming the
// event, no stack unless at debug, nothing for refused requests (they go to onRefused), and pino as it is.
import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { expect } from "chai";
import pino from "pino";
import { HandlerTimeoutError, createCallbackListener, type CallbackListenerOptions, type RefusedRequest } from "../../src";
import { ensureBuilt } from "../support/built";
import { exampleText, repoRoot } from "../support/examples";
import { post, send, serve, type Served } from "../support/http";
import { STACK_FRAME, recordingLogger } from "../support/logger";

const seedJobId = "j7d0eafdaf86c11ecbdf419856486c0ab";
const seedXml = exampleText("VideoEnhance/seed-2.xml");
const withJobId = (jobId: string): string => seedXml.replaceAll(seedJobId, jobId);
const workflowXml = exampleText("WorkflowFinish/zh-863275522-1.xml");

describe("receiver: the listener's logger", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function start(options: CallbackListenerOptions) {
    served = await serve(createCallbackListener({ secret: false, ...options }));
    return `${served.origin}/ci/callback`;
  }

  it("writes one error line per failed delivery naming the event, Tag, JobId and key, and the stack only at debug", async () => {
    const { lines, logger } = recordingLogger();
    const url = await start({
      logger,
      handler: () => {
        throw new TypeError("the database said no\nsecond line");
      },
    });
    const replies = await Promise.all(["job-a", "job-b", "job-c"].map((jobId) => post(url, withJobId(jobId))));
    expect(replies.map((r) => r.status)).to.deep.equal([500, 500, 500]);
    expect(lines.error).to.have.length(3);
    for (const jobId of ["job-a", "job-b", "job-c"]) {
      const line = lines.error.find((l) => l.includes(`id=${jobId}`));
      expect(line, jobId).to.match(/^ci-callback listener: the handlers failed, answered 500: TypeError: the database said no second line \(event=TaskFinish tag=VideoEnhance id=job-\w key=TaskFinish:[\w-]{43}\)$/);
    }
    expect(lines.error.join("\n")).not.to.match(STACK_FRAME);
    expect(lines.warn).to.deep.equal([]);
    expect(lines.debug).to.have.length(3);
    for (const line of lines.debug) expect(line).to.match(STACK_FRAME).and.include("TypeError: the database said no");
  });

  it("escapes C0 and C1 controls and the line separators of a Tag, a JobId and an error message in its line", async () => {
    const { lines, logger } = recordingLogger();
    const url = await start({
      logger,
      handler: () => {
        throw new Error("no\u2028ok\u0085\u001b[2J done");
      },
    });
    const body = withJobId("job\u009b31m\u2029x").replace("<Tag>VideoEnhance</Tag>", "<Tag>New\u0085\u2028Tag</Tag>");
    expect((await post(url, body)).status).to.equal(500);
    expect(lines.error).to.have.length(1);
    const line = lines.error[0] as string;
    expect(line).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(line).to.include("Error: no\\u2028ok\\u0085\\u001b[2J done (event=TaskFinish");
    expect(line).to.include('tag="New\\u0085\\u2028Tag" id="job\\u009b31m\\u2029x"');
    // A quoted field is still a JSON string: it reads back as what the body held.
    expect(JSON.parse(/id=("[^"]*")/.exec(line)?.[1] ?? "")).to.equal("job\u009b31m\u2029x");
  });

  it("names a workflow's RunId, and says when the handlers timed out", async () => {
    const { lines, logger } = recordingLogger();
    const url = await start({ logger, handlerTimeoutMs: 20, handler: () => new Promise(() => undefined) });
    expect((await post(url, workflowXml)).status).to.equal(500);
    expect(lines.error).to.have.length(1);
    expect(lines.error[0]).to.include(new HandlerTimeoutError(20).message);
    expect(lines.error[0]).to.match(/\(event=WorkflowFinish id=i166ee19017b011eda8a5525400c540df key=WorkflowFinish:/);
  });

  it("passes refused requests to onRefused and logs none of them", async () => {
    const { lines, logger } = recordingLogger();
    const refused: RefusedRequest[] = [];
    const url = await start({ logger, secret: "s3cret", maxBytes: 10_000, onRefused: (r) => refused.push(r) });
    await post(url, seedXml);
    await send(`${url}?token=s3cret`, { method: "GET" });
    await post(`${url}?token=s3cret`, "x".repeat(20_000));
    await send(`${url}?token=s3cret`, { headers: { "content-encoding": "zstd", "content-length": 2 }, chunks: ["{}"] });
    await post(`${url}?token=s3cret`, "{}", "application/json");
    expect(refused.map((r) => [r.status, r.kind])).to.deep.equal([
      [401, "unauthorized"],
      [405, "method"],
      [413, "limit"],
      [415, "unsupported-encoding"],
      [400, "validation"],
    ]);
    expect(refused.every((r) => r.message.length > 0)).to.equal(true);
    expect(lines).to.deep.equal({ error: [], warn: [], info: [], debug: [] });
  });

  it("warns once, through the logger, about a listener without a secret", () => {
    const { lines, logger } = recordingLogger();
    createCallbackListener({ logger });
    expect(lines.warn).to.have.length(1);
    expect(lines.warn[0]).to.match(/^ci-callback listener: this listener has no secret/);
  });

  it("writes a failing dedup store's line once, then holds back the same failure", async () => {
    const { lines, logger } = recordingLogger();
    const broken = {
      claim: () => Promise.reject(new Error("store down")),
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    const url = await start({ logger, dedup: { store: broken }, handler: () => undefined });
    for (const jobId of ["d-1", "d-2", "d-3"]) expect((await post(url, withJobId(jobId))).status).to.equal(500);
    expect(lines.error).to.have.length(1);
    expect(lines.error[0]).to.match(/^ci-callback listener: the dedup store failed: Error: store down \(event=TaskFinish tag=VideoEnhance id=d-1 key=/);
  });

  it("takes pino as the logger as it is: JSON lines at its levels, the stack at debug when pino's level lets it", async () => {
    const written: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString("utf8"));
        done();
      },
    });
    const url = await start({
      logger: pino({ level: "debug" }, sink),
      handler: () => {
        throw new Error("boom");
      },
    });
    expect((await post(url, withJobId("pino-job"))).status).to.equal(500);
    const records = written.join("").trim().split("\n").map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(records.map((r) => r.level)).to.deep.equal([50, 20]);
    expect(records[0]?.msg).to.match(/^ci-callback listener: the handlers failed, answered 500: Error: boom \(event=TaskFinish tag=VideoEnhance id=pino-job key=/);
    expect(records[1]?.msg).to.match(STACK_FRAME);
  });

  describe("the default logger (the built package in a process of its own)", function () {
    this.timeout(30_000);
    before(() => ensureBuilt());

    /** Runs a listener whose handler throws, posts three callbacks, and returns what the process wrote. */
    function runFailingListener(env: Record<string, string>): { stdout: string; stderr: string } {
      const script = `
        const { createCallbackListener } = require("./dist/src");
        const http = require("node:http");
        const body = ${JSON.stringify(seedXml)};
        const listener = createCallbackListener({ secret: false, handler: () => { throw new Error("boom"); } });
        const server = http.createServer(listener).listen(0, "127.0.0.1", async () => {
          const url = "http://127.0.0.1:" + server.address().port + "/";
          for (const id of ["x-1", "x-2", "x-3"]) {
            const res = await fetch(url, { method: "POST", body: body.replaceAll(${JSON.stringify(seedJobId)}, id) });
            process.stdout.write(res.status + "\\n");
          }
          server.close();
        });`;
      const result = spawnSync(process.execPath, ["-e", script], {
        cwd: repoRoot,
        env: { ...process.env, NODE_DEBUG: "", ...env },
        encoding: "utf8",
      });
      return { stdout: result.stdout, stderr: result.stderr };
    }

    it("writes one line per failure to stderr, and the stacks only with NODE_DEBUG=ci-callback", () => {
      const quiet = runFailingListener({});
      expect(quiet.stdout.trim().split("\n")).to.deep.equal(["500", "500", "500"]);
      const lines = quiet.stderr.trim().split("\n");
      expect(lines).to.have.length(3);
      expect(lines.map((l) => /id=(x-\d)/.exec(l)?.[1])).to.deep.equal(["x-1", "x-2", "x-3"]);
      const verbose = runFailingListener({ NODE_DEBUG: "ci-callback" });
      expect(verbose.stderr).to.match(STACK_FRAME);
      expect(verbose.stderr.match(/^CI-CALLBACK \d+: ci-callback listener: the handlers failed/gm)).to.have.length(3);
    });
  });
});
