import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { repoRoot } from "./support/examples";

/** Runs `make codegen`'s program into a fresh folder and returns its files by name. */
function generate(): Map<string, string> {
  const out = mkdtempSync(join(tmpdir(), "ci-callback-codegen-"));
  const tsx = join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
  execFileSync(process.execPath, [tsx, join(repoRoot, "codegen", "main.ts"), "--out", out], { stdio: "pipe" });
  return new Map(readdirSync(out).sort().map((name) => [name, readFileSync(join(out, name), "utf8")]));
}

describe("make codegen", function () {
  this.timeout(120_000);
  let first: Map<string, string>;
  let second: Map<string, string>;

  before(() => {
    first = generate();
    second = generate();
  });

  it("is deterministic and matches the committed generated/", () => {
    expect([...first.keys()]).to.deep.equal(["formats.ts", "normalize.ts", "types.ts", "validators.d.ts", "validators.js"]);
    expect(second).to.deep.equal(first);
    const committed = new Map(readdirSync(join(repoRoot, "generated")).sort().map((n) => [n, readFileSync(join(repoRoot, "generated", n), "utf8")]));
    expect(committed).to.deep.equal(first);
  });

  it("puts a banner on every file saying how to regenerate it", () => {
    for (const [name, code] of first) expect(code.split("\n").slice(0, 4).join("\n"), name).to.include("make codegen");
  });
});
