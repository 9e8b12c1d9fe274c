import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { repoRoot } from "./support/examples";

/** Every file below a folder, by path relative to it, with its text. */
function filesOf(dir: string): Map<string, string> {
  const names = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => statSync(join(dir, n)).isFile());
  return new Map(names.sort().map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}

/** Runs `make codegen`'s program into a fresh folder and returns its files by name. */
function generate(): Map<string, string> {
  const out = mkdtempSync(join(tmpdir(), "ci-callback-codegen-"));
  const tsx = join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
  execFileSync(process.execPath, [tsx, join(repoRoot, "codegen", "main.ts"), "--out", out], { stdio: "pipe" });
  return filesOf(out);
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
    expect([...first.keys()]).to.include.members(["types.ts", "validators.js", "normalize.ts", "schema/openapi.json"]);
    expect(second).to.deep.equal(first);
    expect(filesOf(join(repoRoot, "generated"))).to.deep.equal(first);
  });

  it("puts a banner on every code file saying how to regenerate it", () => {
    for (const [name, code] of first) if (!name.endsWith(".json")) expect(code.split("\n").slice(0, 4).join("\n"), name).to.include("make codegen");
  });
});
