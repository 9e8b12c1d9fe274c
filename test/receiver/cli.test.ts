import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseCallback } from "../../src";
import { jsonBody } from "../support/bodies";
import { ensureBuilt } from "../support/built";
import { examplesDir } from "../support/examples";
import { closedPort, serve, type Served } from "../support/http";
import { runCli, startListen, type ListenProcess } from "../support/cli-process";

const seedXml = join(examplesDir, "VideoEnhance", "seed-2.xml");
const seedJson = join(examplesDir, "VideoEnhance", "seed-3.json");

function runSend(...args: string[]): ReturnType<typeof runCli> {
  return runCli(["send", ...args]);
}

describe("receiver: ci-callback listen and send together", () => {
  let listening: ListenProcess | undefined;
  let target: Served | undefined;
  before(() => ensureBuilt());
  afterEach(async () => {
    await listening?.stop();
    await target?.close();
    listening = undefined;
    target = undefined;
  });

  it("send posts a file; listen prints event, Tag, JobId, State and the validation result", async () => {
    const { process: listen, url } = await startListen();
    listening = listen;
    const sent = await runSend(url, "--file", seedXml);
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.stdout.trim()).to.equal('200 {"ok":true}');
    expect(await listen.line(/^TaskFinish/)).to.equal("TaskFinish  VideoEnhance  j7d0eafdaf86c11ecbdf419856486c0ab  Success  valid");
    expect(await listen.line(/answered/)).to.equal("  answered POST /ci/callback: 200");
  });

  it("send --example posts the sample of any job Tag or WorkflowFinish", async () => {
    const { process: listen, url } = await startListen();
    listening = listen;
    expect((await runSend(url, "--example", "Transcode")).code).to.equal(0);
    expect(await listen.line(/^TaskFinish/)).to.match(/^TaskFinish {2}Transcode {2}\S+ {2}Success {2}valid$/);
    expect((await runSend(url, "--example", "WorkflowFinish", "--format", "json")).code).to.equal(0);
    expect(await listen.line(/^WorkflowFinish/)).to.match(/^WorkflowFinish {2}\S+ {2}\S+ {2}\S+ {2}\d+ tasks {2}valid$/);
  });

  it("send --example posts a moderation sample as JSON; listen prints its event, JobId, State and verdict", async () => {
    const { process: listen, url } = await startListen();
    listening = listen;
    expect((await runSend(url, "--example", "ReviewText")).code).to.equal(0);
    expect(await listen.line(/^ReviewText/)).to.match(/^ReviewText {2}\S+ {2}Success {2}result \S+ {2}valid$/);
  });

  it("listen prints the issues of an invalid body and send exits 1 on the 400", async () => {
    const { process: listen, url } = await startListen();
    listening = listen;
    const file = join(mkdtempSync(join(tmpdir(), "ci-callback-")), "invalid.json");
    writeFileSync(file, jsonBody({ State: "Done" }));
    const sent = await runSend(url, "--file", file);
    expect(sent.code).to.equal(1);
    expect(sent.stdout).to.match(/^400 /);
    expect(await listen.line(/^INVALID/)).to.match(/^INVALID {2}validation error: .*\/JobsDetail\/0\/State: must be one of/);
  });

  it("listen --forward passes the body on; send --example --format json converts the sample", async () => {
    const received: { contentType: string | undefined; body: string }[] = [];
    target = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ contentType: req.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(received.length === 1 ? 204 : 503).end();
      });
    });
    const { process: listen, url } = await startListen("--forward", `${target.origin}/local`);
    listening = listen;
    const sent = await runSend(url, "--example", "VideoEnhance", "--format", "json");
    expect(sent.code, sent.stderr).to.equal(0);
    expect(received).to.have.length(1);
    expect(received[0].contentType).to.equal("application/json");
    const sample = parseCallback(Buffer.from(received[0].body));
    expect(sample.EventName).to.equal("TaskFinish");
    expect(await listen.line(/forwarded/)).to.match(/forwarded to .*\/local: 204$/);
    // The seed JSON sent as XML, forwarded; the target now fails, so listen answers 500 and send exits 1.
    const failed = await runSend(url, "--file", seedJson, "--format", "xml");
    expect(failed.code).to.equal(1);
    expect(failed.stdout).to.match(/^500 /);
    expect(received[1].contentType).to.equal("application/xml");
    expect(parseCallback(Buffer.from(received[1].body))).to.deep.equal(parseCallback(readFileSync(seedJson)));
    expect(await listen.line(/failed/)).to.equal(`  failed: forward to ${target.origin}/local: answered 503`);
  });

  it("listen --forward to a closed port says the connection was refused, and by whom", async () => {
    const port = await closedPort();
    const { process: listen, url } = await startListen("--forward", `http://127.0.0.1:${port}/local`);
    listening = listen;
    const sent = await runSend(url, "--example", "Transcode");
    expect(sent.code).to.equal(1);
    expect(sent.stdout).to.match(/^500 /);
    expect(await listen.line(/failed/)).to.equal(`  failed: forward to http://127.0.0.1:${port}/local: connection refused by 127.0.0.1:${port}`);
  });

  it("listen --forward to a target that does not answer says it timed out", async () => {
    target = await serve(() => {
      // Never answers; closing the target ends the connection.
    });
    const { process: listen, url } = await startListen("--forward", `${target.origin}/slow`, "--forward-timeout", "300");
    listening = listen;
    const sent = await runSend(url, "--example", "Transcode");
    expect(sent.code).to.equal(1);
    expect(sent.stdout).to.match(/^500 /);
    expect(await listen.line(/failed/)).to.equal(`  failed: forward to ${target.origin}/slow: no answer within 300 ms`);
  });

  it("send --file - posts stdin", async () => {
    const { process: listen, url } = await startListen();
    listening = listen;
    const sent = await runCli(["send", url, "--file", "-"], readFileSync(seedJson));
    expect(sent.code, sent.stderr).to.equal(0);
    expect(await listen.line(/^TaskFinish/)).to.equal("TaskFinish  VideoEnhance  j7d0eafdaf86c11ecbdf419856486c0ab  Success  valid");
  });

  it("listen exits 0 when stopped, and 3 when its port is taken", async () => {
    const { process: listen, url } = await startListen();
    const port = new URL(url).port;
    const taken = await runCli(["listen", "--port", port]);
    expect(taken.code).to.equal(3);
    expect(taken.stderr).to.match(new RegExp(`^ci-callback listen: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use .*\\(EADDRINUSE\\)\n$`));
    expect(await listen.stop()).to.equal(0);
  });

  it("send to a closed port exits 3, saying the connection was refused", async () => {
    const port = await closedPort();
    const closed = await runSend(`http://127.0.0.1:${port}/`, "--file", seedXml);
    expect(closed.code).to.equal(3);
    expect(closed.stdout).to.equal("");
    expect(closed.stderr).to.equal(`ci-callback send: cannot POST to http://127.0.0.1:${port}/: connection refused by 127.0.0.1:${port}\n`);
  });
});

