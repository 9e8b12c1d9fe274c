// Secrets in the URLs the CLI is given or receives (`user:password@`, `?token=`, a path secret): whatever it
// prints (`send`'s failures, `listen`'s request lines and forward target, `inbox`'s Redis URL) shows `***`
// instead, and never the secret itself.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { redactUrl } from "../../src/cli/redact";
import { cliPath, ensureBuilt } from "../support/built";
import { examplesDir, repoRoot } from "../support/examples";
import { closedPort, post, serve } from "../support/http";

const SECRETS = ["pa55word", "t0ken-s3cr3t", "path-s3cr3t"];
const seedXml = join(examplesDir, "VideoEnhance", "seed-2.xml");
const seedXmlText = readFileSync(seedXml, "utf8");

/** Runs the built CLI to completion; `onLine` sees each line of stdout as it comes (to act on `listen`'s). */
function run(args: string[], onLine?: (line: string, stop: () => void) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLine?.(line, () => child.kill("SIGTERM"));
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).to.not.include(secret);
}

describe("hostile URLs: no secret in what the CLI prints", function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  describe("redactUrl", () => {
    const cases: [given: string, options: Parameters<typeof redactUrl>[1], printed: string][] = [
      ["https://user:pa55word@host/cb?token=t0ken-s3cr3t", {}, "https://***@host/cb?token=***"],
      ["http://127.0.0.1:8080/cb?a=1&token=t0ken-s3cr3t&b=2#f", {}, "http://127.0.0.1:8080/cb?a=1&token=***&b=2#f"],
      ["/cb?%74oken=t0ken-s3cr3t&x=y", {}, "/cb?%74oken=***&x=y"],
      ["/cb/path-s3cr3t?x=1", { pathSecret: true }, "/cb/***?x=1"],
      ["http://host/ci/path-s3cr3t/", { pathSecret: true }, "http://host/ci/***/"],
      ["http://host/", { pathSecret: true }, "http://host/"],
      ["redis://:pa55word@127.0.0.1:6379/0", {}, "redis://***@127.0.0.1:6379/0"],
      ["http://host/cb?sig=t0ken-s3cr3t", { params: ["sig"] }, "http://host/cb?sig=***"],
      ["ht tp://user:pa55word@host/?token=t0ken-s3cr3t", {}, "ht tp://***@host/?token=***"],
    ];
    for (const [given, options, printed] of cases) {
      it(`${given} → ${printed}`, () => expect(redactUrl(given, options)).to.equal(printed));
    }
  });

  it("send: a refused connection to a URL with a token", async () => {
    const port = await closedPort();
    const result = await run(["send", `http://127.0.0.1:${port}/cb?token=t0ken-s3cr3t`, "--file", seedXml]);
    expect(result.code).to.equal(3);
    expect(result.stderr).to.equal(`ci-callback send: cannot POST to http://127.0.0.1:${port}/cb?token=***: connection refused by 127.0.0.1:${port}\n`);
  });

  it("send: a URL with credentials, which fetch refuses quoting the URL", async () => {
    const result = await run(["send", "http://user:pa55word@127.0.0.1:1/cb?token=t0ken-s3cr3t", "--file", seedXml]);
    expect(result.code).to.equal(3);
    expectNoSecret(result.stderr);
    expect(result.stderr).to.include("http://***@127.0.0.1:1/cb?token=***");
  });

  it("send: a URL that does not parse", async () => {
    const result = await run(["send", "http://user:pa55word@[bad/cb?token=t0ken-s3cr3t", "--file", seedXml]);
    expect(result.code).to.equal(2);
    expectNoSecret(result.stderr);
    expect(result.stderr.split("\n")[0]).to.equal('ci-callback send: "http://***@[bad/cb?token=***" is not a URL');
  });

  it("listen: the request line and the --forward URL, when forwarding works and when it fails", async () => {
    const target = await serve((req, res) => {
      req.resume();
      res.end();
    });
    // fetch refuses a URL with credentials, quoting it: the failing forward has them, the working one a token.
    const withCredentials = target.origin.replace("http://", "http://user:pa55word@");
    const printedWithCredentials = target.origin.replace("http://", "http://***@");
    const forwards: [given: string, printed: string, outcome: string][] = [
      [`${target.origin}/ok?token=t0ken-s3cr3t`, `${target.origin}/ok?token=***`, "  forwarded to "],
      [`${withCredentials}/fail?token=t0ken-s3cr3t`, `${printedWithCredentials}/fail?token=***`, "  failed: forward to "],
    ];
    try {
      for (const [given, printed, outcome] of forwards) {
        const result = await run(["listen", "--port", "0", "--forward", given], (line, stop) => {
          const origin = /^listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
          if (origin !== undefined) void post(`${origin}/ci/callback?token=t0ken-s3cr3t`, seedXmlText);
          if (line.startsWith("  answered ")) stop();
        });
        expectNoSecret(result.stdout + result.stderr);
        const lines = result.stdout.split("\n");
        expect(lines[0]).to.match(new RegExp(`, forwarding to ${printed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
        expect(lines.some((line) => line.startsWith(`${outcome}${printed}: `))).to.equal(true);
        expect(lines).to.include(`  answered POST /ci/callback?token=***: ${outcome.includes("failed") ? 500 : 200}`);
      }
    } finally {
      await target.close();
    }
  });

  it("listen: a --forward that does not parse", async () => {
    const result = await run(["listen", "--forward", "http://user:pa55word@[bad/?token=t0ken-s3cr3t"]);
    expect(result.code).to.equal(2);
    expectNoSecret(result.stderr);
  });

  it("inbox: a --redis URL with a password, refused or unreachable", async () => {
    const port = await closedPort();
    const unreachable = await run(["inbox", "status", "--queue", "q", "--redis", `redis://user:pa55word@127.0.0.1:${port}`]);
    expect(unreachable.code).to.equal(3);
    expectNoSecret(unreachable.stderr);
    expect(unreachable.stderr).to.include(`redis://***@127.0.0.1:${port}`);
    const malformed = await run(["inbox", "status", "--queue", "q", "--redis", "redis://user:pa55word@[bad"]);
    expect(malformed.code).to.equal(2);
    expectNoSecret(malformed.stderr);
  });
});
