// NDJSON files cut into runs of whole lines: whatever the read size, every line comes back once, in order, with
// its number; a line over the limit that spans reads comes back as its number and size only.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import type * as NdjsonModule from "../../src/archive/ndjson";
import { ensureBuilt } from "../support/built";
import { repoRoot } from "../support/examples";

type Seen = { line: number; text: string } | { line: number; long: number };

/** What lineRuns gives for `text`, line by line. */
async function seen(lineRuns: typeof NdjsonModule.lineRuns, file: string, runBytes: number, maxLineBytes: number): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const run of lineRuns(file, runBytes, maxLineBytes)) {
    if (run.kind === "long") {
      out.push({ line: run.line, long: run.bytes });
      continue;
    }
    let line = run.firstLine;
    if (run.head !== undefined) {
      const head = Buffer.from(run.head).toString("latin1");
      expect(head.endsWith("\n")).to.equal(true);
      out.push({ line: line++, text: head.slice(0, -1) });
    }
    const parts = Buffer.from(run.bytes).toString("latin1").split("\n");
    // A run ends with a newline, but the file's last line may not.
    if (parts.at(-1) === "") parts.pop();
    for (const part of parts) out.push({ line: line++, text: part });
  }
  return out;
}

describe("NDJSON line runs", () => {
  let dir = "";
  let lineRuns: typeof NdjsonModule.lineRuns;

  before(() => {
    ensureBuilt();
    ({ lineRuns } = require(join(repoRoot, "dist", "src", "archive", "ndjson.js")) as typeof NdjsonModule);
    dir = mkdtempSync(join(tmpdir(), "ci-callback-ndjson-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gives every line once, in order and numbered, whatever the read size; a long one across reads as its size", async () => {
    const maxLineBytes = 12;
    const line = fc.oneof(fc.string({ unit: fc.constantFrom("a", "b", "\r", " "), maxLength: 30, size: "max" }), fc.constant(""));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.constantFrom(1, 2, 5, 13, 64), async (lines, finalNewline, runBytes) => {
        const text = lines.join("\n") + (finalNewline && lines.length > 0 ? "\n" : "");
        const file = join(dir, "lines.ndjson");
        writeFileSync(file, text, "latin1");
        // Nothing after the last newline is no line.
        const pieces = text.split("\n");
        if (pieces.at(-1) === "") pieces.pop();
        const got = await seen(lineRuns, file, runBytes, maxLineBytes);
        expect(got.map((s) => s.line)).to.deep.equal(pieces.map((_, i) => i + 1));
        got.forEach((s, i) => {
          const content = pieces[i] as string;
          // A line over the limit inside one read comes whole (the parser refuses it); across reads, as its size.
          if (content.length <= maxLineBytes || "text" in s) expect(s).to.deep.equal({ line: i + 1, text: content });
          else expect(s).to.deep.equal({ line: i + 1, long: content.length });
        });
      }),
      { numRuns: 300 },
    );
  });
});
