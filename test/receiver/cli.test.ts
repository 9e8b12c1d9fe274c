import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseCallback } from "../../src";
import { jsonBody } from "../support/bodies";
import { examplesDir, repoRoot } from "../support/examples";
import { serve, type Served } from "../support/http";

/** The CLI from source, so the test needs no build. */
const cliArgs = ["--require", "tsx/cjs", join(repoRoot, "src", "cli.ts")];
const seedXml = join(examplesDir, "VideoEnhance", "seed-2.xml");
const seedJson = join(examplesDir, "VideoEnhance", "seed-3.json");

/** A running `ci-callback listen` whose output lines the test can wait for. */
class ListenProcess {
  readonly lines: string[] = [];
  private waiters: { pattern: RegExp; from: number; resolve: (line: string) => void }[] = [];
  private partial = "";

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      const parts = (this.partial + text).split("\n");
      this.partial = parts.pop() ?? "";
      this.lines.push(...parts);
      this.check();
    });
  }

  /** The first line at or after `from` that matches. */
  line(pattern: RegExp, from = 0): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push({ pattern, from, resolve });
      this.check();
    });
  }

  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      this.child.once("exit", (code) => resolve(code));
      this.child.kill("SIGTERM");
    });
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      const found = this.lines.slice(w.from).find((l) => w.pattern.test(l));
      if (found !== undefined) w.resolve(found);
      return found === undefined;
    });
  }
}

async function startListen(...args: string[]): Promise<{ process: ListenProcess; url: string }> {
  const child = spawn(process.execPath, [...cliArgs, "listen", "--port", "0", ...args], { cwd: repoRoot });
  const listen = new ListenProcess(child);
  const line = await listen.line(/^listening on /);
  const origin = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
  return { process: listen, url: `${origin}/ci/callback` };
}

/** Runs `ci-callback send …` to completion. */
function runSend(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgs, "send", ...args], { cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("receiver: ci-callback listen and send together", () => {
  let listening: ListenProcess | undefined;
  let target: Served | undefined;
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
    expect(await listen.line(/^WorkflowFinish/)).to.match(/^WorkflowFinish {2}\S+ {2}\S+ {2}\S+ {2}valid$/);
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
  });

  it("send refuses bad usage and reports an unreachable URL", async () => {
    const both = await runSend("http://127.0.0.1:9/", "--file", seedXml, "--example", "VideoEnhance");
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include("one of --file F and --example TAG");
    const unknown = await runSend("http://127.0.0.1:9/", "--example", "NoSuchTag");
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include("no sample named NoSuchTag");
    const closed = await runSend("http://127.0.0.1:9/", "--file", seedXml);
    expect(closed.code).to.equal(1);
    expect(closed.stderr).to.include("cannot POST to http://127.0.0.1:9/");
  });
});

