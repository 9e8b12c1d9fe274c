// make codegen's output. CI runs the codegen once, here: the fresh run must equal the committed generated/,
// which another run wrote (on another machine, another day), so this checks at once that generated/ is
// current and that codegen is deterministic. `make check-generated` is the same check for a working tree.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { repoRoot } from "./support/examples";

/** Every file below a folder, by path relative to it, with its text. */
function filesOf(dir: string): Map<string, string> {
  const names = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => statSync(join(dir, n)).isFile());
  return new Map(names.sort().map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}

/** Runs `make codegen`'s program into a fresh folder and returns its files by name. */
async function generate(): Promise<Map<string, string>> {
  const out = mkdtempSync(join(tmpdir(), "ci-callback-codegen-"));
  try {
    await promisify(execFile)(process.execPath, ["--require", "tsx/cjs", join(repoRoot, "codegen", "main.ts"), "--out", out], { cwd: repoRoot });
    return filesOf(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe("make codegen", function () {
  // The run ends when the child exits; this bound is only for a codegen that hangs (it takes about 10 s quiet).
  this.timeout(600_000);
  let fresh: Map<string, string>;

  before(async () => {
    fresh = await generate();
  });

  it("writes what is committed in generated/ (codegen is deterministic and generated/ current)", () => {
    expect([...fresh.keys()]).to.include.members(["types.ts", "validators.js", "normalize.ts", "schema/openapi.json"]);
    expect(filesOf(join(repoRoot, "generated"))).to.deep.equal(fresh);
  });

  it("puts a banner on every code file saying how to regenerate it", () => {
    for (const [name, code] of fresh) if (!name.endsWith(".json")) expect(code.split("\n").slice(0, 4).join("\n"), name).to.include("make codegen");
  });
});
