// The numeric options of parseCallback: checked when given (NaN or a negative number must not turn a limit
// off), and the largest nesting they allow walked without overflowing the stack, by both readers.
import { expect } from "chai";
import { MAX_DEPTH_LIMIT, parseCallback, safeParseCallback, type ParseOptions } from "../src";
import { json, nest, xml } from "./hostile/bodies";

describe("limits", () => {
  it("refuse options that are not whole numbers in range, even from safeParseCallback", () => {
    const bad: [ParseOptions, ErrorConstructor][] = [
      [{ maxBytes: Number.NaN }, RangeError],
      [{ maxBytes: 0 }, RangeError],
      [{ maxBytes: -1 }, RangeError],
      [{ maxDepth: Number.NaN }, RangeError],
      [{ maxDepth: -1 }, RangeError],
      [{ maxDepth: 2.5 }, RangeError],
      [{ maxDepth: MAX_DEPTH_LIMIT + 1 }, RangeError],
      [{ maxDepth: "64" as unknown as number }, TypeError],
    ];
    for (const [options, type] of bad) {
      expect(() => safeParseCallback(xml(), options), JSON.stringify(options)).to.throw(type);
      expect(() => parseCallback(json(), options), JSON.stringify(options)).to.throw(type);
    }
  });

  describe(`a maxDepth raised to ${MAX_DEPTH_LIMIT}`, () => {
    const options = { maxDepth: MAX_DEPTH_LIMIT, maxBytes: 16 * 1024 * 1024 };
    // The body, JobsDetail and the job take three levels: an unknown node in the job can nest the rest.
    const room = MAX_DEPTH_LIMIT - 3;

    it("keeps a body nested to the limit, in unknown nodes of XML and JSON alike", () => {
      const fromXml = parseCallback(xml(nest(room, "<Deep>", "x", "</Deep>")), options);
      const fromJson = parseCallback(json(`,"Deep":${nest(room - 1, '{"Deep":', '"x"', "}")}`), options);
      expect(fromXml).to.deep.equal(fromJson);
    });

    it("refuses one level more, and 100,000 levels, with a limit error and a short path", () => {
      for (const levels of [room + 1, 100_000]) {
        const bodies = [
          xml(nest(levels, "<Deep>", "x", "</Deep>")),
          json(`,"Deep":${nest(levels - 1, '{"Deep":', '"x"', "}")}`),
          json(`,"Deep":${nest(levels - 1, "[", '"x"', "]")}`),
        ];
        for (const body of bodies) {
          const result = safeParseCallback(body, options);
          if (result.ok) expect.fail(`${levels} levels parsed`);
          expect(result.error.kind).to.equal("limit");
          expect(result.error.issues[0].path.length).to.be.at.most(512);
        }
      }
    });
  });
});
