// The one line `listen` and `validate` print about a callback (src/canonical/summary.ts): the same parts for
// both, `-` where a value is missing, and nothing from the body reaching the terminal unescaped.
import { expect } from "chai";
import { parseCallback } from "../src";
import { summarizeCallback } from "../src/canonical/summary";
import { exampleText } from "./support/examples";

const seedXml = exampleText("VideoEnhance/seed-2.xml");

describe("the one-line summary of a callback", () => {
  it("names a TaskFinish's Tag, JobId and State, and a failed job's Code", () => {
    expect(summarizeCallback(parseCallback(seedXml))).to.equal(
      "TaskFinish  VideoEnhance  j7d0eafdaf86c11ecbdf419856486c0ab  Success",
    );
    const failed = seedXml
      .replace("<State>Success</State>", "<State>Failed</State>")
      .replace(/<Code>[^<]*<\/Code>/, "<Code>InternalError</Code>");
    expect(summarizeCallback(parseCallback(failed))).to.equal(
      "TaskFinish  VideoEnhance  j7d0eafdaf86c11ecbdf419856486c0ab  Failed  InternalError",
    );
  });

  it("names a workflow run, a moderation verdict and an event the package does not know", () => {
    expect(summarizeCallback(parseCallback(exampleText("WorkflowFinish/zh-863275522-1.xml")))).to.equal(
      "WorkflowFinish  workflow-3  i166ee19017b011eda8a5525400c540df  Success  2 tasks",
    );
    expect(
      summarizeCallback(parseCallback(exampleText("moderation/ReviewText-Simple/intl-all-nodes-simple.json"))),
    ).to.equal("Simple  ReviewText  test_trace_id  result 0");
    const unknown = {
      EventName: "ImageSearchFinish",
      JobsDetail: { JobId: "j1", Tag: "ImageSearch", State: "Success" },
    };
    expect(summarizeCallback(parseCallback(JSON.stringify(unknown)))).to.equal(
      "ImageSearchFinish  (unknown event)  ImageSearch  j1  Success",
    );
  });

  it("escapes control characters, C1 included, and the line separators a body's values hold", () => {
    const body = seedXml
      .replace("<Tag>VideoEnhance</Tag>", "<Tag>New\u0085\u2028\u009b2JTag</Tag>")
      .replaceAll("j7d0eafdaf86c11ecbdf419856486c0ab", "j\u2029x");
    const line = summarizeCallback(parseCallback(body));
    expect(line).to.equal("TaskFinish  New\\u0085\\u2028\\u009b2JTag  j\\u2029x  Success");
  });
});
