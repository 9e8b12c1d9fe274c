// The JSON reader's duplicate-key check (src/read/json-reader.ts): it compares the colons of the text with those its
// result accounts for, and must refuse exactly the bodies the exact scanner (src/read/json-syntax.ts) finds a
// duplicate key in, whatever colons, escapes and whitespace the keys and strings hold.
import { expect } from "chai";
import fc from "fast-check";
import { CallbackError } from "../src/read/errors";
import { readJson } from "../src/read/json-reader";
import { findJsonProblem } from "../src/read/json-syntax";

const OPTIONS = { maxDepth: 64 };

/** The message readJson gives a body, or "ok". */
function verdict(text: string): string {
  try {
    readJson(text, OPTIONS);
    return "ok";
  } catch (error) {
    if (!(error instanceof CallbackError)) throw error;
    return error.issues[0]?.message ?? "";
  }
}

// Few key spellings, so that duplicates are common: colons in keys and strings, escaped colons and backslashes.
const STRINGS = ['"a"', '"b"', '"a:b"', '":"', '"\\u003a"', '"\\u003A"', '"\\\\u003a"', '"\\u0061"', '"x\\":"'];
const SPACE = ["", " ", "\n  "];

const json: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(...STRINGS, "1", "true", "null"),
    tie("object"),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => `[${items.join(",")}]`),
  ),
  object: fc
    .array(fc.tuple(fc.constantFrom(...STRINGS), fc.constantFrom(...SPACE), tie("value")), { maxLength: 4 })
    .map((members) => `{${members.map(([key, space, value]) => `${key}${space}:${space}${value}`).join(",")}}`),
})).object;

describe("the JSON reader's duplicate-key check", () => {
  it("refuses exactly the bodies with a duplicate key, whatever colons the keys and strings hold", () => {
    fc.assert(
      fc.property(json, (text) => {
        const duplicate = findJsonProblem(text)?.reason === "duplicate key";
        expect(verdict(text).startsWith("JSON has a duplicate key"), text).to.equal(duplicate);
      }),
      { numRuns: 3000 },
    );
  });

  it("is not fooled by an escaped colon standing in for the dropped one, or a space before a colon", () => {
    expect(verdict('{"a":1,"a":"\\u003a"}')).to.equal("JSON has a duplicate key at line 1, column 8");
    expect(verdict('{"a" :1,"a":2,"b":"x\\":"}')).to.equal("JSON has a duplicate key at line 1, column 9");
    expect(verdict('{"k:1":1,"k:2":"\\u003a"}')).to.equal("ok");
  });

  it("sees only own keys, also when Object.prototype has an enumerable one", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      expect(verdict('{"a":1,"a":2}')).to.equal("JSON has a duplicate key at line 1, column 8");
      expect(verdict('{"a":{"b":1}}')).to.equal("ok");
    } finally {
      delete proto.polluted;
    }
  });

  it("finds a duplicate key below what the fast pass recurses into", () => {
    const deep = (inner: string) => `${'{"a":'.repeat(300)}${inner}${"}".repeat(300)}`;
    expect(readJson(deep('{"k":1}'), { maxDepth: 1000 })).to.be.an("object");
    expect(() => readJson(deep('{"k":1,"k":2}'), { maxDepth: 1000 })).to.throw(CallbackError, /duplicate key/);
  });
});
