import { expect } from "chai";
import { identifyEvent, parseCallback } from "../../src";
import { example } from "../support/examples";

describe("receiver: event names and dedup keys", () => {
  it("names a job callback by EventName and Tag and keys it by JobId", () => {
    const identity = identifyEvent(parseCallback(example("VideoEnhance/seed-2.xml")));
    expect(identity).to.deep.equal({
      names: ["TaskFinish", "TaskFinish:VideoEnhance"],
      key: "TaskFinish:j7d0eafdaf86c11ecbdf419856486c0ab",
    });
  });

  it("keys a workflow callback by its RunId", () => {
    const identity = identifyEvent(parseCallback(example("WorkflowFinish/zh-863275522-1.xml")));
    expect(identity).to.deep.equal({ names: ["WorkflowFinish"], key: "WorkflowFinish:i166ee19017b011eda8a5525400c540df" });
  });

  it("gives no key to a callback without ids, so it is never dropped as a duplicate", () => {
    expect(identifyEvent({ EventName: "Something" })).to.deep.equal({ names: ["Something"], key: undefined });
  });
});
