import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseCallback } from "../src";
import { jsonBody } from "./support/bodies";
import { cliPath, ensureBuilt } from "./support/built";
import { examplesDir, repoRoot } from "./support/examples";

/** Runs the built CLI to completion; `input` is its stdin. */
function cli(args: string[], input?: string | Buffer): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const verbs = ["validate", "convert", "example", "listen", "send", "inbox"];

describe("the ci-callback command", () => {
  const seedXml = join(examplesDir, "VideoEnhance", "seed-2.xml");
  const seedJson = join(examplesDir, "VideoEnhance", "seed-3.json");
  const missing = join(tmpdir(), "ci-callback-no-such-file.xml");
  let invalid: string;

  before(() => {
    ensureBuilt();
    invalid = join(mkdtempSync(join(tmpdir(), "ci-callback-")), "invalid.json");
    writeFileSync(invalid, jsonBody({ State: "Done" }));
  });

  describe("help and version", () => {
    for (const args of [["help"], ["--help"], ["-h"]]) {
      it(`${args.join(" ")} prints every command and exits 0`, () => {
        const run = cli(args);
        expect(run.status).to.equal(0);
        expect(run.stderr).to.equal("");
        expect(run.stdout).to.match(/^usage: ci-callback COMMAND/);
        for (const verb of verbs) expect(run.stdout).to.match(new RegExp(`^  ${verb} `, "m"));
        expect(run.stdout).to.include("Exit codes: 0 ok, 1 an invalid body");
      });
    }

    for (const verb of verbs) {
      it(`${verb} --help and help ${verb} print its usage and exit 0`, () => {
        for (const args of [[verb, "--help"], [verb, "-h"], ["help", verb]]) {
          const run = cli(args);
          expect(run.status, args.join(" ")).to.equal(0);
          expect(run.stderr).to.equal("");
          expect(run.stdout).to.match(new RegExp(`^usage: ci-callback ${verb} `));
        }
      });
    }

    it("--help wins over the other arguments, even wrong ones", () => {
      const run = cli(["send", "--bogus", "--help"]);
      expect(run.status).to.equal(0);
      expect(run.stdout).to.match(/^usage: ci-callback send /);
    });

    it("--version prints the version of package.json", () => {
      const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
      const run = cli(["--version"]);
      expect(run.status).to.equal(0);
      expect(run.stdout).to.equal(`${version}\n`);
    });
  });

  describe("usage errors: exit 2, one line naming the problem, then the usage", () => {
    // Nothing here reaches the network or binds a port: the arguments are refused first.
    const url = "http://127.0.0.1:9/";
    const cases: { args: string[]; error: string; usage: string }[] = [
      { args: [], error: "ci-callback: a command is required", usage: "COMMAND" },
      { args: ["frob"], error: 'ci-callback: unknown command "frob"', usage: "COMMAND" },
      { args: ["--bogus"], error: 'ci-callback: unknown option "--bogus"', usage: "COMMAND" },
      { args: ["help", "frob"], error: 'ci-callback: unknown command "frob"', usage: "COMMAND" },
      { args: ["validate"], error: "ci-callback validate: at least one FILE is required", usage: "validate" },
      { args: ["validate", "--bogus", "x.xml"], error: 'ci-callback validate: unknown option "--bogus"', usage: "validate" },
      { args: ["validate", "-z", "x.xml"], error: 'ci-callback validate: unknown option "-z"', usage: "validate" },
      { args: ["validate", "--json=yes", "x.xml"], error: "ci-callback validate: --json takes no value", usage: "validate" },
      { args: ["validate", "-", "-"], error: 'ci-callback validate: "-" (stdin) can be given only once', usage: "validate" },
      { args: ["convert"], error: "ci-callback convert: a FILE is required", usage: "convert" },
      { args: ["convert", "a.xml", "b.xml"], error: 'ci-callback convert: unexpected argument "b.xml"', usage: "convert" },
      { args: ["example"], error: "ci-callback example: a NAME is required: a job Tag, WorkflowFinish or a moderation event", usage: "example" },
      { args: ["example", "Transcode", "--format", "yaml"], error: 'ci-callback example: --format must be xml or json, not "yaml"', usage: "example" },
      { args: ["example", "Transcode", "--version", "full"], error: 'ci-callback example: --version must be detail or simple, not "full"', usage: "example" },
      { args: ["example", "Transcode", "--version"], error: "ci-callback example: --version needs a value", usage: "example" },
      { args: ["example", "ReviewImage", "--format", "xml"], error: "ci-callback example: ReviewImage is a moderation callback, which CI sends as JSON only", usage: "example" },
      { args: ["listen", "--port", "99999"], error: 'ci-callback listen: --port must be a whole number from 0 to 65535, not "99999"', usage: "listen" },
      { args: ["listen", "--port"], error: "ci-callback listen: --port needs a value", usage: "listen" },
      { args: ["listen", "--forward", "nowhere"], error: 'ci-callback listen: --forward must be a URL, not "nowhere"', usage: "listen" },
      { args: ["listen", "--forward-timeout", "0"], error: 'ci-callback listen: --forward-timeout must be a whole number from 1 to 2147483647, not "0"', usage: "listen" },
      { args: ["listen", "extra"], error: 'ci-callback listen: unexpected argument "extra"', usage: "listen" },
      { args: ["send"], error: "ci-callback send: a URL is required", usage: "send" },
      { args: ["send", "not a url", "--example", "Transcode"], error: 'ci-callback send: "not a url" is not a URL', usage: "send" },
      { args: ["send", url], error: "ci-callback send: --file or --example is required", usage: "send" },
      { args: ["send", url, "--file", "x.xml", "--example", "Transcode"], error: "ci-callback send: --file and --example cannot be used together", usage: "send" },
      { args: ["send", url, "--file"], error: "ci-callback send: --file needs a value", usage: "send" },
      { args: ["send", url, "--file", "-x"], error: 'ci-callback send: --file needs a value (for one that starts with "-", write --file=-x)', usage: "send" },
      { args: ["send", url, "--example", "Transcode", "--format", "yaml"], error: 'ci-callback send: --format must be xml or json, not "yaml"', usage: "send" },
      { args: ["send", url, "--example", "Transcode", "extra"], error: 'ci-callback send: unexpected argument "extra"', usage: "send" },
    ];
    for (const { args, error, usage } of cases) {
      it(`ci-callback ${args.join(" ")}`, () => {
        const run = cli(args);
        expect(run.status).to.equal(2);
        expect(run.stdout).to.equal("");
        const [first, second] = run.stderr.split("\n");
        expect(first).to.equal(error);
        expect(second).to.match(new RegExp(`^usage: ci-callback ${usage} `));
        // Node's own parseArgs wording never reaches the user.
        expect(run.stderr).not.to.match(/Unknown option|argument missing|ambiguous|does not take an argument|ERR_PARSE_ARGS/);
      });
    }

    it("example and send word an unknown sample the same way", () => {
      const example = cli(["example", "NoSuchTag"]);
      const send = cli(["send", url, "--example", "NoSuchTag"]);
      expect([example.status, send.status]).to.deep.equal([2, 2]);
      const reason = (stderr: string): string => stderr.split("\n")[0].replace(/^ci-callback \w+: /, "");
      expect(reason(example.stderr)).to.match(/^no sample named NoSuchTag; known: .*Transcode/);
      expect(reason(send.stderr)).to.equal(reason(example.stderr));
      expect(example.stderr).to.match(/^ci-callback example: /);
      expect(send.stderr).to.match(/^ci-callback send: /);
    });
  });

  describe("validate", () => {
    it("exits 0 when every file is valid and prints a line each", () => {
      const run = cli(["validate", seedXml, seedJson]);
      expect(run.status).to.equal(0);
      const lines = run.stdout.trim().split("\n");
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^valid {2}.*seed-2\.xml {2}TaskFinish {2}VideoEnhance {2}j7d0eafdaf86c11ecbdf419856486c0ab {2}Success/);
    });

    it("exits 1 when any file is invalid, naming the path of each issue", () => {
      const run = cli(["validate", seedXml, invalid]);
      expect(run.status).to.equal(1);
      expect(run.stdout).to.include("INVALID  ");
      expect(run.stdout).to.include("/JobsDetail/0/State: must be one of");
    });

    it("exits 3 when a file cannot be read, with one line on stderr, and checks the others", () => {
      const run = cli(["validate", seedXml, missing, invalid]);
      expect(run.status).to.equal(3);
      expect(run.stderr).to.equal(`ci-callback validate: cannot read ${missing}: no such file or directory (ENOENT)\n`);
      const verdicts = run.stdout.split("\n").filter((line) => /^\S/.test(line));
      expect(verdicts.map((line) => line.split("  ")[0])).to.deep.equal(["valid", "INVALID"]);
    });

    it("- reads stdin", () => {
      const run = cli(["validate", "-"], readFileSync(seedXml));
      expect(run.status).to.equal(0);
      expect(run.stdout).to.match(/^valid {2}- {2}TaskFinish {2}VideoEnhance /);
      expect(cli(["validate", "-"], readFileSync(invalid)).status).to.equal(1);
    });

    it("--json prints one object of fields per file: file, ok, kind, issues", () => {
      const run = cli(["validate", "--json", seedXml, invalid, "-"], "{");
      expect(run.status).to.equal(1);
      expect(run.stderr).to.equal("");
      const reports = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(reports).to.have.length(3);
      for (const report of reports) expect(Object.keys(report)).to.deep.equal(["file", "ok", "kind", "issues"]);
      expect(reports[0]).to.deep.equal({ file: seedXml, ok: true, kind: null, issues: [] });
      expect(reports[1]).to.include({ file: invalid, ok: false, kind: "validation" });
      expect((reports[1].issues as { path: string }[])[0].path).to.equal("/JobsDetail/0/State");
      expect(reports[2]).to.include({ file: "-", ok: false, kind: "parse" });
    });

    it("--json reports an unreadable file as kind read, and exits 3", () => {
      const run = cli(["validate", "--json", invalid, missing]);
      expect(run.status).to.equal(3);
      expect(run.stderr).to.equal("");
      const reports = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown);
      expect(reports[1]).to.deep.equal({
        file: missing,
        ok: false,
        kind: "read",
        issues: [{ path: "", message: "no such file or directory (ENOENT)" }],
      });
    });

    it("--strict reports unknown nodes", () => {
      const file = join(mkdtempSync(join(tmpdir(), "ci-callback-")), "unknown.json");
      writeFileSync(file, jsonBody({ Surprise: "x" }));
      expect(cli(["validate", file]).status).to.equal(0);
      const run = cli(["validate", "--strict", file]);
      expect(run.status).to.equal(1);
      expect(run.stdout).to.include("/JobsDetail/0/Surprise: is not in the schema");
    });
  });

  describe("convert", () => {
    it("prints the canonical JSON", () => {
      const run = cli(["convert", seedXml]);
      expect(run.status).to.equal(0);
      expect(JSON.parse(run.stdout)).to.deep.equal(parseCallback(readFileSync(seedJson)));
    });

    it("- reads stdin", () => {
      const run = cli(["convert", "-"], readFileSync(seedXml));
      expect(run.status).to.equal(0);
      expect(JSON.parse(run.stdout)).to.deep.equal(parseCallback(readFileSync(seedJson)));
    });

    it("exits 1 with the error on stderr", () => {
      const run = cli(["convert", invalid]);
      expect(run.status).to.equal(1);
      expect(run.stdout).to.equal("");
      expect(run.stderr).to.match(/^ci-callback convert: .*invalid\.json: validation error: \/JobsDetail\/0\/State: must be one of/);
      expect(run.stderr.trim().split("\n")).to.have.length(1);
    });

    it("exits 3 when the file is missing or is a directory", () => {
      const gone = cli(["convert", missing]);
      expect(gone.status).to.equal(3);
      expect(gone.stderr).to.equal(`ci-callback convert: cannot read ${missing}: no such file or directory (ENOENT)\n`);
      const directory = cli(["convert", examplesDir]);
      expect(directory.status).to.equal(3);
      expect(directory.stderr).to.match(/^ci-callback convert: cannot read .*: .* \(EISDIR\)\n$/);
    });
  });

  describe("example", () => {
    it("prints a sample that parses, XML by default", () => {
      const run = cli(["example", "Transcode"]);
      expect(run.status).to.equal(0);
      expect(run.stdout).to.match(/^<Response>/);
      expect(parseCallback(run.stdout).EventName).to.equal("TaskFinish");
      const simple = cli(["example", "ReviewImage", "--version", "simple"]);
      expect(simple.status).to.equal(0);
      expect(parseCallback(simple.stdout).EventName).to.equal(undefined);
    });
  });

  describe("send", () => {
    it("exits 3 when the file cannot be read, before sending anything", () => {
      const run = cli(["send", "http://127.0.0.1:9/", "--file", missing]);
      expect(run.status).to.equal(3);
      expect(run.stderr).to.equal(`ci-callback send: cannot read ${missing}: no such file or directory (ENOENT)\n`);
    });

    it("exits 1 when a body to convert is invalid", () => {
      const run = cli(["send", "http://127.0.0.1:9/", "--file", invalid, "--format", "xml"]);
      expect(run.status).to.equal(1);
      expect(run.stderr).to.match(/^ci-callback send: .*invalid\.json: validation error: /);
    });
  });
});
