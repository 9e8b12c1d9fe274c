import { createHash } from "node:crypto";
import { expect } from "chai";
import { identifyEvent, parseCallback } from "../../src";
import { example } from "../support/examples";

/** The key the README documents: the EventName, then SHA-256 (base64url) of the JSON array [EventName, ...ids]. */
const documentedKey = (event: string, ...ids: string[]): string =>
  `${event}:${createHash("sha256").update(JSON.stringify([event, ...ids])).digest("base64url")}`;

describe("receiver: event names and dedup keys", () => {
  it("names a job callback by EventName and Tag and keys it by JobId", () => {
    const identity = identifyEvent(parseCallback(example("VideoEnhance/seed-2.xml")));
    expect(identity).to.deep.equal({
      names: ["TaskFinish", "TaskFinish:VideoEnhance"],
      key: documentedKey("TaskFinish", "j7d0eafdaf86c11ecbdf419856486c0ab"),
      test: false,
    });
  });

  it("keys a workflow callback by its RunId", () => {
    const identity = identifyEvent(parseCallback(example("WorkflowFinish/zh-863275522-1.xml")));
    expect(identity).to.deep.equal({ names: ["WorkflowFinish"], key: documentedKey("WorkflowFinish", "i166ee19017b011eda8a5525400c540df"), test: false });
  });

  it("gives no key to a callback without ids, so it is never dropped as a duplicate", () => {
    expect(identifyEvent({ EventName: "Something" })).to.deep.equal({ names: ["Something"], key: undefined, test: false });
  });

  it("keeps keys short however long the ids, and tells apart ids that a separator would run together", () => {
    const long = identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: "j".repeat(1024 * 1024) }] }).key;
    expect(long).to.have.length.below(64);
    const one = identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: "a:b" }] }).key;
    const two = identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: "a" }, { JobId: "b" }] }).key;
    const quoted = identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: 'a","b' }] }).key;
    expect(new Set([one, two, quoted]).size).to.equal(3);
    // A JobId cannot pass for another event's RunId.
    const run = identifyEvent({ EventName: "WorkflowFinish", WorkflowExecution: { RunId: "a" } }).key;
    expect(run).to.not.equal(identifyEvent({ EventName: "TaskFinish", JobsDetail: [{ JobId: "a" }] }).key);
  });
});
