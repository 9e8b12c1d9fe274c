import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { parseCallback } from "../../src";
import { jsonBody } from "../support/bodies";
import { ensureBuilt } from "../support/built";
import { runCli, startListen, type ListenProcess } from "../support/cli-process";
import { example } from "../support/examples";
import { post, send, serve } from "../support/http";

describe("inspect: listen --record, then send --file replays the recording", function () {
  // Several CLI processes a test: on a loaded machine that passes the default; this only stops a hung one.
  this.timeout(120_000);
  let listening: ListenProcess | undefined;
  let dir: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "ci-callback-record-"));
  });
  afterEach(async () => {
    await listening?.stop();
    listening = undefined;
  });

  it("records every body, one a line, that validate reads back and send --file sends again in order", async () => {
    const first = join(dir, "session.ndjson");
    const xml = example("VideoEnhance/seed-2.xml");
    const json = example("VideoEnhance/seed-3.json");
    const invalid = jsonBody({ State: "Done" });
    expect(xml.includes(0x0a) && json.includes(0x0a), "the examples span lines").to.equal(true);
    const recorder = await startListen("--record", first);
    listening = recorder.process;
    await recorder.process.line(/^recording every body to /);
    expect((await post(recorder.url, xml)).status).to.equal(200);
    expect((await post(recorder.url, json)).status).to.equal(200);
    expect((await post(recorder.url, invalid)).status).to.equal(400);
    // Recorded as parsed: the Content-Encoding undone.
    const gzipped = gzipSync(json);
    const encoded = await send(recorder.url, { headers: { "content-encoding": "gzip", "content-length": gzipped.length }, chunks: [gzipped] });
    expect(encoded.status).to.equal(200);
    expect(await recorder.process.stop()).to.equal(0);
    listening = undefined;

    const lines = readFileSync(first, "utf8").split("\n");
    expect(lines).to.have.length(5);
    expect(lines[4]).to.equal("");
    expect(parseCallback(Buffer.from(lines[0]))).to.deep.equal(parseCallback(xml));
    expect(parseCallback(Buffer.from(lines[1]))).to.deep.equal(parseCallback(json));
    expect(lines[2]).to.equal(invalid);
    expect(parseCallback(Buffer.from(lines[3]))).to.deep.equal(parseCallback(json));
    const validated = await runCli(["validate", "--json", "--workers", "1", first]);
    expect(validated.code).to.equal(1);
    const reports = validated.stdout.trim().split("\n").map((l) => JSON.parse(l) as { file: string; ok: boolean });
    expect(reports.map((r) => [r.file, r.ok])).to.deep.equal([
      [`${first}:1`, true],
      [`${first}:2`, true],
      [`${first}:3`, false],
      [`${first}:4`, true],
    ]);

    // The recording sent to a second recorder, rate-limited, records the same lines.
    const second = join(dir, "again.ndjson");
    const again = await startListen("--record", second);
    listening = again.process;
    await again.process.line(/^recording every body to /);
    const sent = await runCli(["send", again.url, "--file", first, "--rate", "20"]);
    expect(sent.code, sent.stderr).to.equal(1);
    const answers = sent.stdout.split("\n");
    expect(answers.map((a) => a.slice(0, a.indexOf(" ", first.length + 3)))).to.deep.equal([`${first}:1 200`, `${first}:2 200`, `${first}:3 400`, `${first}:4 200`, ""]);
    expect(await again.process.stop()).to.equal(0);
    listening = undefined;
    expect(readFileSync(second, "utf8")).to.equal(readFileSync(first, "utf8"));
  });

  it("send --file sends each line of a recording as a body, skipping blank lines, naming lines it cannot send", async () => {
    const file = join(dir, "mixed.ndjson");
    writeFileSync(file, `\n${jsonBody()}\r\n   \n{"EventName":\n`);
    const target = await startListen();
    listening = target.process;
    const sent = await runCli(["send", target.url, "--file", file, "--format", "xml"]);
    expect(sent.code).to.equal(1);
    const out = sent.stdout.split("\n");
    expect(out[0]).to.equal(`${file}:2 200 {"ok":true}`);
    expect(out[1]).to.match(new RegExp(`^${file}:4 not sent: ${file}:4: parse error`));
  });

  it("listen --inspect serves on the listen port + 1 by default, and exits 3 when that port is taken", async () => {
    // A port held here, and the one below it free: listen there, and its inspector's default is taken.
    for (let attempt = 0; ; attempt++) {
      const held = await serve(() => undefined);
      const inspectPort = Number(new URL(held.origin).port);
      const run = await runCli(["listen", "--port", String(inspectPort - 1), "--inspect"]);
      await held.close();
      if (/cannot listen on/.test(run.stderr) && attempt < 5) continue;
      expect(run.code).to.equal(3);
      expect(run.stderr).to.match(new RegExp(`^ci-callback listen: cannot serve the inspector on 127\\.0\\.0\\.1:${inspectPort}: address already in use .*\\(EADDRINUSE\\)\n$`));
      break;
    }
  });

  it("refuses a wrong --inspect PORT, --record without FILE, and a FILE it cannot open", async () => {
    for (const [args, message, code] of [
      [["--inspect", "x"], '--inspect must be a whole number from 0 to 65535, not "x"', 2],
      [["--inspect=70000"], '--inspect must be a whole number from 0 to 65535, not "70000"', 2],
      [["--record"], "--record needs a value", 2],
      [["--record", join(dir, "no-such-dir", "a.ndjson")], `cannot record to ${join(dir, "no-such-dir", "a.ndjson")}: no such file or directory (ENOENT)`, 3],
    ] as const) {
      const run = await runCli(["listen", "--port", "0", ...args]);
      expect(run.code, args.join(" ")).to.equal(code);
      expect(run.stderr.split("\n")[0]).to.equal(`ci-callback listen: ${message}`);
    }
  });

  it("refuses --rate without an NDJSON file, and a rate that is not a positive number", async () => {
    for (const [args, message] of [
      [["--example", "Transcode", "--rate", "5"], "--rate is for an NDJSON --file"],
      [["--file", "x.ndjson", "--rate", "0"], '--rate must be a number of bodies a second, above 0 and at most 100000, not "0"'],
    ] as const) {
      const run = await runCli(["send", "http://127.0.0.1:9/", ...args]);
      expect(run.code).to.equal(2);
      expect(run.stderr.split("\n")[0]).to.equal(`ci-callback send: ${message}`);
    }
  });
});
