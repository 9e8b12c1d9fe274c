// The JSON error locator (src/read/json-syntax.ts): the first syntax error at the very character JSON.parse
// stops at, the first duplicate key, in plain words, at any depth.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { findJsonProblem } from "../src/read/json-syntax";
import { examplesDir } from "./support/examples";

const jsonExamples: string[] = readdirSync(examplesDir, { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => readFileSync(join(examplesDir, name), "utf8"));

// Characters that matter to a JSON reader, and a few that never may stand outside a string.
const CHARS = ['"', "\\", "{", "}", "[", "]", ",", ":", "0", "1", "-", "+", ".", "e", "E", "t", "n", "u", "x"];
const ALL_CHARS = [...CHARS, " ", "\n", "\t", "/", "*", "\u0001", "\u00a0", "画"];

/** The example with one to three characters inserted, replaced or deleted, or cut short. */
const mutatedJson = fc
  .tuple(
    fc.constantFrom(...jsonExamples),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.constantFrom(...ALL_CHARS)), { minLength: 1, maxLength: 3 }),
    fc.option(fc.nat()),
  )
  .map(([text, edits, cut]) => {
    for (const [position, op, char] of edits) {
      const at = position % (text.length + 1);
      text = text.slice(0, at) + (op === 2 ? "" : char) + text.slice(op === 1 ? at + 1 : at);
    }
    return cut === null ? text : text.slice(0, cut % (text.length + 1));
  });

/** Where JSON.parse says `text` goes wrong: an offset, a character, or the end; `valid` when it does not. */
function v8Verdict(text: string): { position: number } | { token: string } | "end" | "valid" | "unknown" {
  try {
    JSON.parse(text);
    return "valid";
  } catch (error) {
    const message = (error as SyntaxError).message;
    const position = /in JSON at position (\d+)/.exec(message);
    if (position) return { position: Number(position[1]) };
    if (message.startsWith("Unexpected end of JSON input")) return "end";
    const token = /^Unexpected token '(.)'/su.exec(message);
    return token ? { token: token[1] } : "unknown";
  }
}

describe("the JSON error locator", () => {
  it("stops where JSON.parse stops, on mutated reference bodies", () => {
    let compared = 0;
    let runs = 0;
    fc.assert(
      fc.property(mutatedJson, (text) => {
        runs++;
        const verdict = v8Verdict(text);
        const problem = findJsonProblem(text);
        if (verdict === "valid") {
          if (problem !== undefined) expect(problem.reason).to.equal("duplicate key");
          return;
        }
        expect(problem, "a problem in a text JSON.parse refuses").not.to.equal(undefined);
        const offset = problem?.offset ?? -1;
        if (verdict === "unknown") return;
        compared++;
        if (verdict === "end") expect(offset).to.equal(text.length);
        else if ("position" in verdict) expect(offset).to.equal(verdict.position);
        else expect(text[offset]).to.equal(verdict.token);
      }),
      { seed: 10, numRuns: 3000 },
    );
    // V8's messages name the position; if that wording changes, this test must be rewritten, not pass idly.
    expect(compared).to.be.greaterThan(runs * 0.8);
  });

  const cases: [text: string, offset: number, reason: string][] = [
    ['{"a":1,}', 7, "property name expected"],
    ["[1,]", 3, "value expected"],
    ['{"a" 1}', 5, "colon expected"],
    ['{"a":1 "b":2}', 7, "comma or close brace expected"],
    ["[1 2]", 3, "comma or close bracket expected"],
    ['{"a":1}}', 7, "end of input expected"],
    ['{"a":', 5, "unexpected end of input"],
    ['"abc', 4, "unexpected end of string"],
    ['"a\\x"', 3, "invalid escape character"],
    ['"\\u12g4"', 5, "invalid unicode escape"],
    ['"a\tb"', 2, "control character in string"],
    ["[01]", 2, "comma or close bracket expected"],
    ["[-x]", 2, "invalid number format"],
    ["[1.e5]", 3, "invalid number format"],
    ["[1e+]", 4, "invalid number format"],
    ["[trux]", 4, "invalid literal"],
    ['{"a":1 // note\n}', 7, "comments are not allowed"],
    ['{"a":1, /* note */ "b":2}', 8, "comments are not allowed"],
    ["\u00a0{}", 0, "value expected"],
    ["", 0, "unexpected end of input"],
  ];
  for (const [text, offset, reason] of cases) {
    it(`finds "${reason}" at ${offset} in ${JSON.stringify(text)}`, () => {
      expect(findJsonProblem(text)).to.deep.equal({ offset, reason });
    });
  }

  it("finds nothing wrong in valid JSON without duplicate keys", () => {
    for (const text of [...jsonExamples, '{"a":[{"b":1},{"b":2}],"b":-0.5e-3}', ' "\\u00e9\\/" ', "null"]) {
      if (v8Verdict(text) === "valid") expect(findJsonProblem(text)).to.equal(undefined);
    }
  });

  it("finds the first duplicate key, also when one is spelled with escapes, and only within one object", () => {
    expect(findJsonProblem('{"a":{"x":1},"b":{"x":2},"a":3}')).to.deep.equal({ offset: 25, reason: "duplicate key" });
    expect(findJsonProblem('{"ab":1,"\\u0061\\u0062":2}')).to.deep.equal({ offset: 8, reason: "duplicate key" });
  });

  it("walks 100,000 levels of nesting without recursion", () => {
    expect(findJsonProblem("[".repeat(100_000))).to.deep.equal({ offset: 100_000, reason: "unexpected end of input" });
    expect(findJsonProblem(`${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`)).to.equal(undefined);
  });
});
