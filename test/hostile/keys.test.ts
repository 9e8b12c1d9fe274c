// Names and ids an attacker makes as long as the body allows: what the receiver keeps per callback (the dedup
// key, the event names, an inbox job's id and name) stays within a documented length, whatever the body.
import { expect } from "chai";
import { createCallbackListener, identifyEvent, safeParseCallback, type CallbackContext, type DedupClaim, type DedupStore } from "../../src";
import { MAX_KEY_LENGTH, MAX_NAME_LENGTH } from "../../src/receiver/events";
import { jobIdOfKey } from "../../src/inbox/stored-callback";
import { post, serve } from "../support/http";
import { simpleBody } from "./bodies";

/** 1 MB of name: the measured case (a 1,000,045-character key, 1 MB held per callback by the memory store). */
const LONG = "E".repeat(1_000_000);

/** The longest job id an inbox gives a key: `:` escaped as `%3A`. */
const MAX_JOB_ID_LENGTH = MAX_KEY_LENGTH + 2;

/** Checks an identity against the documented bounds, as a listener and an inbox use it. */
function expectBounded(identity: { key: string | undefined; names: readonly string[] }): void {
  expect(identity.key).to.be.a("string");
  expect(identity.key?.length).to.be.at.most(MAX_KEY_LENGTH);
  expect(jobIdOfKey(identity.key ?? "").length).to.be.at.most(MAX_JOB_ID_LENGTH);
  for (const name of identity.names) expect(name.length).to.be.at.most(MAX_NAME_LENGTH);
  // The inbox names a job after the most specific name.
  expect((identity.names.at(-1) ?? "").length).to.be.at.most(MAX_NAME_LENGTH);
}

describe("hostile bodies: keys and names of bounded length", () => {
  it(`a Simple body whose event is 1 MB of text: a key of at most ${MAX_KEY_LENGTH} characters, no name over ${MAX_NAME_LENGTH}`, () => {
    const result = safeParseCallback(simpleBody().replace('"event":"ReviewText"', `"event":"${LONG}"`));
    if (!result.ok) expect.fail(result.error.message);
    const identity = identifyEvent(result.value);
    expectBounded(identity);
    expect(identity.key?.startsWith("Simple:")).to.equal(true);
    expect(identity.names).to.deep.equal([]);
  });

  it("two Simple bodies whose long events differ in their last character still get different keys", () => {
    const keys = ["A", "B"].map((last) => identifyEvent({ data: { event: `${LONG}${last}`, trace_id: "t1" } }).key);
    expect(keys[0]).to.not.equal(keys[1]);
  });

  it("a 1 MB EventName, Tag or id anywhere in a media or Detail body: every key and name bounded", () => {
    const identities = [
      identifyEvent({ EventName: LONG, JobsDetail: [{ JobId: "j1", Tag: "VideoEnhance" }] }),
      identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: LONG, Tag: LONG }] }),
      identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: "j1", Tag: `X${"y".repeat(63)}` }] }),
      identifyEvent({ EventName: LONG, JobsDetail: { JobId: LONG, State: LONG } }),
      identifyEvent({ EventName: "WorkflowFinish", WorkflowExecution: { RunId: LONG } }),
    ];
    for (const identity of identities) expectBounded(identity);
    // A plain Tag of the longest kept length is still a name; a longer one is dropped, not cut.
    expect(identities[2].names).to.deep.equal(["TaskFinish", `TaskFinish:X${"y".repeat(63)}`]);
    expect(identities[1].names).to.deep.equal(["TaskFinish"]);
  });

  it("a listener keeps 64 characters, not 1 MB, per Simple callback whose event is 1 MB", async () => {
    const keys: string[] = [];
    const contexts: CallbackContext[] = [];
    const store: DedupStore = {
      claim(key): Promise<DedupClaim> {
        keys.push(key);
        return Promise.resolve("claimed");
      },
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    const listener = createCallbackListener({ secret: false, dedup: { store }, handler: (_, context) => void contexts.push(context) });
    const served = await serve(listener);
    try {
      for (const trace of ["t1", "t2"]) {
        const body = simpleBody().replace('"event":"ReviewText"', `"event":"${LONG}"`).replace('"trace_id":"t1"', `"trace_id":"${trace}"`);
        expect((await post(`${served.origin}/`, body, "application/json")).status).to.equal(200);
      }
    } finally {
      await served.close();
    }
    expect(keys).to.have.length(2);
    expect(new Set(keys).size).to.equal(2);
    for (const key of keys) expect(key.length).to.be.at.most(MAX_KEY_LENGTH);
    for (const context of contexts) expectBounded(context);
  });
});
