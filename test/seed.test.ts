import { expect } from "chai";
import { example } from "./support/examples";
import { parseTaskFinish, parseVideoEnhanceJob } from "./support/task-finish";

describe("the VideoEnhance seed callbacks", () => {
  const case1 = parseTaskFinish(example("VideoEnhance/seed-1.xml"));
  const case2 = parseTaskFinish(example("VideoEnhance/seed-2.xml"));
  const case3 = parseTaskFinish(example("VideoEnhance/seed-3.json"));

  it("parses case 1 (plain XML) with wire text, lists and empties as the contract says", () => {
    const job = parseVideoEnhanceJob(example("VideoEnhance/seed-1.xml"));
    expect(case1.EventName).to.equal("TaskFinish");
    expect(case1.JobsDetail).to.have.length(1);
    expect(job).to.include({ JobId: "j7d0eafdaf86c11ecbdf419856486c0ab", Tag: "VideoEnhance", State: "Success" });
    expect(job).not.to.have.property("Message");
    expect(job).not.to.have.property("Workflow");
    expect(job.Input).to.deep.equal({ BucketId: "test-123456789", Object: "input/demo.mp4", Region: "ap-chongqing" });
    const media = job.Operation.MediaInfo;
    expect(media?.Format?.Bitrate).to.equal("10269.090000");
    expect(media?.Stream?.Video).to.have.length(1);
    expect(media?.Stream?.Audio?.[0]?.SampleRate).to.equal("44100");
    expect(media?.Stream).not.to.have.property("Subtitle");
    expect(job.Operation.MediaResult?.OutputFile).to.deep.equal({
      Bucket: "test-123456789",
      Md5Info: [{ Md5: "a825aa6c59371509995a47b570c29297", ObjectName: "output/video-process.mp4" }],
      ObjectName: ["output/video-process.mp4"],
      Region: "ap-chongqing",
    });
    expect(job.Operation.JobLevel).to.equal("0");
  });

  it("parses case 2 (workflow XML) with its CosHeaders list and Workflow", () => {
    const job = parseVideoEnhanceJob(example("VideoEnhance/seed-2.xml"));
    expect(job.Input?.CosHeaders?.map((h) => h.Key)).to.deep.equal(["Content-Type", "x-cos-request-id", "EventName", "Size"]);
    expect(job.Input?.CosHeaders?.[3]?.Value).to.equal("1424687");
    expect(job.Workflow?.RunId).to.equal("ic90edd59f84f11ec9d4f525400a3c59f");
  });

  it("gives the same object for case 2 XML and case 3 JSON", () => {
    expect(case2).to.deep.equal(case3);
  });

  it("differs between case 1 and case 2 only by the workflow nodes", () => {
    const { Workflow, ...job2 } = parseVideoEnhanceJob(example("VideoEnhance/seed-2.xml"));
    const { CosHeaders, ...input2 } = job2.Input ?? {};
    expect(Workflow).to.not.equal(undefined);
    expect(CosHeaders).to.have.length(4);
    expect({ ...case2, JobsDetail: [{ ...job2, Input: input2 }] }).to.deep.equal(case1);
  });

  it("has no node the schema does not know (strict mode passes)", () => {
    for (const name of ["VideoEnhance/seed-1.xml", "VideoEnhance/seed-2.xml", "VideoEnhance/seed-3.json"]) {
      expect(() => parseTaskFinish(example(name), { strict: true }), name).not.to.throw();
    }
  });
});
