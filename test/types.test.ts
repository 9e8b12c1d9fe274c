// Type-level tests: `npm test` compiles this file with tsc (strict), so a wrong type fails the run.
import { expect } from "chai";
import {
  type AnyCallback,
  type CallbackEventName,
  type CallbackOfEvent,
  type KnownCiCallback,
  type UnknownEventCallback,
  type WorkflowStartCallback,
  type ModerationSimpleCallback,
  type ReviewDocumentDetailCallback,
  type ReviewImageDetailCallback,
  type ReviewImageSimpleData,
  exampleCallback,
  exampleNames,
  type Job,
  type KnownJob,
  type TranscodeJob,
  type UnknownJob,
  type VideoEnhanceJob,
  type TaskFinishSample,
  type WorkflowFinishCallback,
  createCallbackListener,
  exampleBody,
  isKnownCallback,
  isKnownJob,
  parseCallback,
} from "../src";
import { example } from "./support/examples";
import { parseVideoEnhanceJob } from "./support/task-finish";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

/** Every family and event handled: each case sees exactly its own callback type, and nothing reaches default. */
function idOf(callback: AnyCallback): string | undefined {
  if (!isKnownCallback(callback)) {
    assertType<Equal<typeof callback, UnknownEventCallback>>();
    return callback.JobsDetail?.[0].JobId ?? callback.WorkflowExecution?.RunId;
  }
  switch (callback.EventName) {
    case "TaskFinish":
      return callback.JobsDetail[0]?.JobId;
    case "WorkflowFinish":
      return callback.WorkflowExecution.RunId;
    case "WorkflowStart":
      assertType<Equal<typeof callback, WorkflowStartCallback>>();
      return callback.WorkflowExecution.RunId;
    case "ReviewImage":
      assertType<Equal<typeof callback, ReviewImageDetailCallback>>();
      return callback.JobsDetail.JobId;
    case "ReviewDocument":
      assertType<Equal<typeof callback, ReviewDocumentDetailCallback>>();
      return callback.JobsDetail.JobId;
    case "ReviewText":
    case "ReviewAudio":
    case "ReviewVideo":
    case "ReviewHtml":
      return callback.JobsDetail.JobId;
    case undefined:
      assertType<Equal<typeof callback, ModerationSimpleCallback>>();
      return callback.data.trace_id;
    default: {
      const unreachable: never = callback;
      return unreachable;
    }
  }
}

/** Every known Tag handled: each case sees exactly its own job type, and nothing reaches default. */
function describeKnownJob(job: KnownJob): string {
  switch (job.Tag) {
    case "Animation":
    case "Concat":
    case "DigitalWatermark":
    case "DNA":
    case "DocAIGCMetadata":
    case "DocProcess":
    case "DocWatermark":
    case "ExtractDigitalWatermark":
    case "FileCompress":
    case "FileHashCode":
    case "FileUncompress":
    case "FillConcat":
    case "GeneratePlayList":
    case "ImageInspect":
    case "ImageOCR":
    case "MediaInfo":
    case "NoiseReduction":
    case "PicProcess":
    case "PosterProduction":
    case "QualityEstimate":
    case "SDRtoHDR":
    case "Segment":
    case "SegmentVideoBody":
    case "SmartCover":
    case "Snapshot":
    case "SoundHound":
    case "SpeechRecognition":
    case "SplitVideoParts":
    case "StreamExtract":
    case "SuperResolution":
    case "Translation":
    case "Tts":
    case "VideoMontage":
    case "VideoProcess":
    case "VideoSynthesis":
    case "VideoTag":
    case "VideoTargetRec":
    case "VocalScore":
    case "VoiceSeparate":
    case "Watermark":
    case "WordsGeneralize":
      return job.Tag;
    case "Transcode": {
      assertType<Equal<typeof job, TranscodeJob>>();
      return `transcode ${job.JobId}`;
    }
    case "VideoEnhance": {
      assertType<Equal<typeof job, VideoEnhanceJob>>();
      return `${job.Operation.MediaInfo?.Stream?.Video?.[0]?.Width ?? "?"} px wide`;
    }
    default: {
      const exhaustive: never = job;
      return exhaustive;
    }
  }
}

/** Jobs of a type the schema does not know are set aside first, typed as UnknownJob. */
function describeJob(job: Job): string {
  if (isKnownJob(job)) return describeKnownJob(job);
  assertType<Equal<typeof job, UnknownJob>>();
  return `unknown job type ${job.Tag}`;
}

describe("the generated types", () => {
  const job = parseVideoEnhanceJob(example("VideoEnhance/seed-2.xml"));

  it("type a stream's Width as its wire text", () => {
    const width = job.Operation.MediaInfo?.Stream?.Video?.[0]?.Width;
    assertType<Equal<typeof width, string | undefined>>();
    expect(width).to.equal("544");
  });

  it("type lists as arrays and enums as unions", () => {
    assertType<Equal<NonNullable<typeof job.Input>["CosHeaders"], { Key?: string; Value?: string }[] | undefined>>();
    assertType<Equal<typeof job.State, "Submitted" | "Running" | "Success" | "Failed" | "Pause" | "Cancel" | undefined>>();
    expect(job.Input?.CosHeaders).to.be.an("array");
  });

  it("make a misspelt property a compile error", () => {
    // @ts-expect-error -- "Widht" is not a property of VideoStream
    const misspelt: unknown = job.Operation.MediaInfo?.Stream?.Video?.[0]?.Widht;
    // @ts-expect-error -- "Operaton" is not a property of VideoEnhanceJob
    const alsoMisspelt: unknown = job.Operaton;
    expect([misspelt, alsoMisspelt]).to.deep.equal([undefined, undefined]);
  });

  it("narrow a callback by EventName and a job by Tag, exhaustively", () => {
    const callback = parseCallback(example("VideoEnhance/seed-2.xml"));
    if (!isKnownCallback(callback) || (callback.EventName !== "TaskFinish" && callback.EventName !== "WorkflowFinish")) {
      return expect.fail("a moderation callback or an unknown event");
    }
    assertType<Equal<typeof callback, Exclude<KnownCiCallback, WorkflowStartCallback>>>();
    if (callback.EventName === "WorkflowFinish") {
      assertType<Equal<typeof callback, WorkflowFinishCallback>>();
      expect.fail("the seed is a TaskFinish callback");
    }
    expect(callback.JobsDetail.map(describeJob)).to.deep.equal(["544 px wide"]);
    const unknown = parseCallback(example("VideoEnhance/seed-2.xml").toString().replace(/VideoEnhance</g, "FutureJob<"));
    if (!isKnownCallback(unknown) || unknown.EventName !== "TaskFinish") return expect.fail("still a TaskFinish callback");
    expect(unknown.JobsDetail.map(describeJob)).to.deep.equal(["unknown job type FutureJob"]);
  });

  it("narrow any callback, moderation in both versions included, by EventName, exhaustively", () => {
    const ids = exampleNames.map((name) => idOf(exampleCallback(name)));
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).to.equal(true);
    expect(idOf(exampleCallback("ReviewImage", { version: "Simple" }))).to.be.a("string");
  });

  it("type WorkflowStart's handlers with its own body, and those of * with any callback", () => {
    assertType<Equal<CallbackOfEvent<"WorkflowStart">, WorkflowStartCallback>>();
    assertType<Equal<CallbackOfEvent<"*">, AnyCallback>>();
    // Each compiles as a name, and the listener takes it at run time too.
    const names: CallbackEventName[] = ["WorkflowStart", "*", "TaskFinish:DNA", "TaskFinish:PosterProduction"];
    const listener = createCallbackListener({ secret: false });
    for (const name of names) expect(() => listener.on(name, () => undefined), name).to.not.throw();
    expect(() => listener.on("ImageSearchFinish" as CallbackEventName, () => undefined)).to.throw(RangeError, /"\*" for every callback/);
  });

  it("type a moderation event's handlers with its Detail body or its Simple one", () => {
    type Image = CallbackOfEvent<"ReviewImage">;
    const handle = (callback: Image): number | undefined =>
      callback.EventName === undefined ? callback.data.result : callback.JobsDetail.Result;
    assertType<Equal<Extract<Image, { EventName: "ReviewImage" }>, ReviewImageDetailCallback>>();
    assertType<Equal<Extract<Image, { EventName?: undefined }>["data"], ReviewImageSimpleData>>();
    // Documents have no Simple version.
    assertType<Equal<CallbackOfEvent<"ReviewDocument">, ReviewDocumentDetailCallback>>();
    const detail = exampleCallback("ReviewImage");
    assertType<Equal<typeof detail, ReviewImageDetailCallback>>();
    expect(handle(detail)).to.equal(detail.JobsDetail.Result);
  });

  it("type each sample as its event, and its set option as the nodes of its job, run or data", () => {
    const transcode = exampleCallback("Transcode", { set: { JobId: "j-test-1", State: "Failed" } });
    assertType<Equal<typeof transcode, TaskFinishSample<TranscodeJob>>>();
    assertType<Equal<(typeof transcode.JobsDetail)[0], TranscodeJob>>();
    const simple = exampleCallback("ReviewImage", { version: "Simple", set: { trace_id: "t-1" } });
    assertType<Equal<typeof simple.data, ReviewImageSimpleData>>();
    const workflow = exampleCallback("WorkflowFinish");
    assertType<Equal<typeof workflow, WorkflowFinishCallback>>();
    // A name held in a string gets any callback.
    const name: string = ["Tts"][0];
    const any = exampleCallback(name);
    assertType<Equal<typeof any, AnyCallback>>();
    // @ts-expect-error -- "Transcod" is not a sample's name
    expect(() => exampleCallback("Transcod")).to.throw(RangeError);
    // @ts-expect-error -- a TranscodeJob has no JobID (JobId is)
    exampleCallback("Transcode", { set: { JobID: "j-test-1" } });
    // @ts-expect-error -- "Done" is not a State
    exampleCallback("Transcode", { set: { State: "Done" } });
    // @ts-expect-error -- documents have no Simple version
    expect(() => exampleCallback("ReviewDocument", { version: "Simple" })).to.throw(RangeError);
    // @ts-expect-error -- a moderation callback is JSON only
    expect(() => exampleBody("ReviewText", "xml", { version: "Simple" })).to.throw(RangeError);
    expect(transcode.JobsDetail[0].Operation.TemplateId).to.be.a("string");
  });

  it("make handler names complete to the known Tags, and a misspelt one a compile error", () => {
    const listener = createCallbackListener({ secret: false });
    assertType<Equal<Extract<CallbackEventName, `TaskFinish:${string}`>, `TaskFinish:${KnownJob["Tag"]}`>>();
    assertType<Equal<CallbackOfEvent<"TaskFinish:Transcode">["JobsDetail"][0], TranscodeJob>>();
    listener.on("TaskFinish:Transcode", (callback) => {
      assertType<Equal<(typeof callback.JobsDetail)[0], TranscodeJob>>();
    });
    // @ts-expect-error -- "Transcod" is not a known Tag: a compile error, and a RangeError at run time
    expect(() => listener.on("TaskFinish:Transcod", () => undefined)).to.throw(RangeError);
    // @ts-expect-error -- nor is "TaskFinsh" an event
    expect(() => listener.on("TaskFinsh", () => undefined)).to.throw(RangeError);
    // A Tag newer than the package: on("TaskFinish"), where every job is a Job and its Tag a string.
    listener.on("TaskFinish", (callback) => {
      assertType<Equal<(typeof callback.JobsDetail)[0], Job>>();
    });
  });
});
