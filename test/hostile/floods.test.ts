// Bodies made to produce as many problems as their size allows: the error and the listener's 400 answer stay
// small (at most MAX_ISSUES issues, the rest counted), whatever the body. Timing is the benchmark's business
// (`npm run bench`, the scaling table); here the bounds on what comes back are asserted.
import { expect } from "chai";
import { CallbackError, MAX_ISSUES, createCallbackListener, safeParseCallback, type ParseOptions } from "../../src";
import { post, serve } from "../support/http";
import { floodBodies } from "./floods";

const MiB = 1024 * 1024;
/** The largest answer a refused body may get, in bytes: a small multiple of a few KB. */
const MAX_ANSWER = 16 * 1024;

function failure(body: string, options?: ParseOptions): CallbackError {
  const result = safeParseCallback(body, options);
  if (result.ok) expect.fail("the body parsed, but it should not have");
  return result.error;
}

describe("hostile bodies: floods of problems", () => {
  for (const flood of floodBodies) {
    for (const size of [1, 4, 16]) {
      it(`${flood.name}, ×${size}: the first ${MAX_ISSUES} issues, the rest counted`, () => {
        const body = flood.body(size);
        const error = failure(body, flood.options);
        expect(error.kind).to.equal("validation");
        expect(error.issues).to.have.length(MAX_ISSUES);
        expect(error.omittedIssues).to.be.greaterThan(0);
        expect(error.message).to.match(/; and \d+ more$/);
        expect(error.message.length).to.be.below(2048);
        expect(JSON.stringify(error.issues).length).to.be.below(MAX_ANSWER);
      });
    }
  }

  it("a body of failing items up to the 1 MiB limit gets a 400 answer of a few KB from a listener", async () => {
    const listener = createCallbackListener({ secret: false, strict: true, dedup: false, onError: () => undefined });
    const served = await serve(listener);
    try {
      for (const flood of floodBodies) {
        const body = flood.bodyOfSize(MiB - 1024);
        expect(Buffer.byteLength(body)).to.be.within(MiB - 64 * 1024, MiB);
        const reply = await post(`${served.origin}/`, body, flood.contentType);
        expect(reply.status, flood.name).to.equal(400);
        expect(Buffer.byteLength(reply.text), flood.name).to.be.below(MAX_ANSWER);
        const answer = reply.json as { error: { issues: unknown[] } };
        expect(answer.error.issues).to.have.length(MAX_ISSUES);
      }
    } finally {
      await served.close();
    }
  });
});
