// The README stays true: its table lists every job Tag the schema knows, and its complete TypeScript
// examples (the blocks that start with an import) compile against the built package.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { knownJobTags } from "../src";
import { ensureBuilt } from "./support/built";
import { repoRoot } from "./support/examples";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");

describe("the README", function () {
  // tsc over every example: its exit ends the wait; this bound is for a hang.
  this.timeout(600_000);

  it("lists every known job Tag in its table, and no other", () => {
    const listed = [...readme.matchAll(/^\| `(\w+)` \| `\w+Job` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).to.deep.equal([...knownJobTags].sort());
  });

  it("has complete TypeScript examples that compile against the package", () => {
    ensureBuilt();
    const blocks = [...readme.matchAll(/```ts\n(import [^]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).to.be.greaterThan(0);
    // Files inside the package resolve "ci-callback" to it; the examples' free variables are declared.
    const prelude = [
      "declare const body: string;",
      "declare const req: { headers: Record<string, string | undefined> };",
      "declare function saveOutputs(...args: unknown[]): Promise<void>;",
      "declare function markFailed(...args: unknown[]): Promise<void>;",
      "declare function saveVerdict(id: string, verdict: number | undefined): Promise<void>;",
    ].join("\n");
    const files = blocks.map((code, i) => {
      const file = join(repoRoot, "test", "package", `readme-example-${i}.mts`);
      writeFileSync(file, `${code}\n${prelude}\nexport {};\n`);
      return file;
    });
    try {
      const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
      const args = [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", "--skipLibCheck", ...files];
      execFileSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" });
    } catch (error) {
      expect.fail(String((error as { stdout?: string }).stdout ?? error));
    } finally {
      for (const file of files) rmSync(file, { force: true });
    }
  });
});
