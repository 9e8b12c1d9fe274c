// Issue 19: events newer than the package are received; WorkflowStart and the SDK-only job Tags are typed.
import { expect } from "chai";
import {
  createCallbackListener,
  exampleBody,
  exampleCallback,
  identifyEvent,
  isKnownCallback,
  isKnownJob,
  parseCallback,
  safeParseCallback,
  type CallbackContext,
  type ReceivedCallback,
} from "../src";
import { post, send, serve, type Served } from "./support/http";

/** An event CI might add: a job envelope under an EventName the package does not know. */
const imageSearch = {
  EventName: "ImageSearchFinish",
  JobsDetail: [
    {
      Code: "Success",
      JobId: "jd2b1a6c07f1c11efb5b8525400a1b2c3",
      Tag: "ImageSearch",
      State: "Success",
      CreationTime: "2024-05-01T10:00:00+0800",
      Operation: { ImageSearchResult: { Score: "97" } },
    },
  ],
  SearchId: "s-1",
};
const imageSearchXml =
  "<Response><EventName>ImageSearchFinish</EventName><JobsDetail><Code>Success</Code>" +
  "<JobId>jd2b1a6c07f1c11efb5b8525400a1b2c3</JobId><Tag>ImageSearch</Tag><State>Success</State>" +
  "<CreationTime>2024-05-01T10:00:00+0800</CreationTime><Operation><ImageSearchResult><Score>97</Score>" +
  "</ImageSearchResult></Operation></JobsDetail><SearchId>s-1</SearchId></Response>";

/** Bodies that are no CI callback, each with why. */
const notCallbacks: [string, string][] = [
  [
    "a COS event notification",
    JSON.stringify({
      Records: [{ event: { eventName: "cos:ObjectCreated:Put", eventVersion: "1.0" }, cos: { cosObject: { key: "/1250000000/b/a.jpg" } } }],
    }),
  ],
  ["arbitrary JSON", JSON.stringify({ hello: "world", n: 1 })],
  ["an EventName with neither container", JSON.stringify({ EventName: "ImageSearchFinish", Data: { a: "1" } })],
  ["a new EventName whose job has no Tag", JSON.stringify({ EventName: "ReviewLive", JobsDetail: { JobId: "j1", State: "Success" } })],
  ["a new EventName whose run has no RunId", JSON.stringify({ EventName: "WorkflowPause", WorkflowExecution: { WorkflowId: "w1" } })],
];

describe("events newer than the package", () => {
  it("parse as an UnknownEventCallback from XML and JSON alike, the envelope checked and the rest kept", () => {
    const fromJson = parseCallback(JSON.stringify(imageSearch));
    const fromXml = parseCallback(imageSearchXml);
    expect(fromXml).to.deep.equal(fromJson);
    expect(fromJson).to.deep.equal(imageSearch);
    if (isKnownCallback(fromJson)) return expect.fail("an unknown event");
    expect(fromJson.EventName).to.equal("ImageSearchFinish");
    const job = fromJson.JobsDetail?.[0];
    if (job === undefined || isKnownJob(job)) return expect.fail("one UnknownJob");
    expect(job.Operation).to.deep.equal({ ImageSearchResult: { Score: "97" } });
    // The envelope is checked: a bad State is a validation error at its path.
    const bad = safeParseCallback(JSON.stringify({ ...imageSearch, JobsDetail: [{ ...imageSearch.JobsDetail[0], State: "Done" }] }));
    expect(bad.ok).to.equal(false);
    if (!bad.ok) expect(bad.error.issues.map((i) => i.path)).to.deep.equal(["/JobsDetail/0/State"]);
  });

  it("are reported by strict mode: the EventName, the unknown Tag and every node beside the containers", () => {
    const result = safeParseCallback(JSON.stringify(imageSearch), { strict: true });
    if (result.ok) return expect.fail("strict mode reports an unknown event");
    expect(result.error.kind).to.equal("validation");
    expect(result.error.issues.map((i) => i.path)).to.deep.equal(["/EventName", "/JobsDetail/0/Tag", "/SearchId"]);
  });

  it("include a workflow-shaped event, its run checked as a WorkflowRun", () => {
    const body = { EventName: "WorkflowPause", WorkflowExecution: { RunId: "i0a1b2c3d4e5f60718293a4b5c6d7e8f9", WorkflowId: "w1", State: "Paused" } };
    const parsed = parseCallback(JSON.stringify(body));
    expect(isKnownCallback(parsed)).to.equal(false);
    expect(parsed).to.deep.equal(body);
  });

  for (const [what, body] of notCallbacks) {
    it(`refuse what is no callback: ${what}`, () => {
      const result = safeParseCallback(body);
      expect(result.ok, what).to.equal(false);
      if (!result.ok) expect(result.error.kind).to.equal("validation");
    });
  }

  it("still name a 2020-era body without EventName by its container, WorkflowExecution being WorkflowFinish's", () => {
    const run = parseCallback(JSON.stringify({ WorkflowExecution: { RunId: "i1", State: "Success" } }));
    expect(run.EventName).to.equal("WorkflowFinish");
  });

  it("are keyed like the known events: bounded, by their ids, the name inside the digest", () => {
    const key = identifyEvent(parseCallback(JSON.stringify(imageSearch))).key;
    expect(key).to.match(/^Unknown:[A-Za-z0-9_-]{43}$/);
    const other = { ...imageSearch, EventName: "ImageSearchStart" };
    expect(identifyEvent(parseCallback(JSON.stringify(other))).key).to.not.equal(key);
  });
});

describe("WorkflowStart", () => {
  it("parses its sample in strict mode from XML and JSON, the pair giving the same object", () => {
    const xml = parseCallback(exampleBody("WorkflowStart", "xml"), { strict: true });
    const json = parseCallback(exampleBody("WorkflowStart", "json"), { strict: true });
    expect(xml).to.deep.equal(json);
    expect(json).to.deep.equal(exampleCallback("WorkflowStart"));
    if (!isKnownCallback(json) || json.EventName !== "WorkflowStart") return expect.fail("a WorkflowStart callback");
    expect(json.WorkflowExecution.RunId).to.match(/^i[0-9a-f]{32}$/);
  });

  it("needs only a RunId: Tasks and the rest are optional, State is any text", () => {
    const body = { EventName: "WorkflowStart", WorkflowExecution: { RunId: "i1", State: "Running" } };
    expect(parseCallback(JSON.stringify(body), { strict: true })).to.deep.equal(body);
  });

  it("has a dedup key other than its run's WorkflowFinish", () => {
    const runId = "i166ee19017b011eda8a5525400c540df";
    const start = exampleCallback("WorkflowStart", { set: { RunId: runId } });
    const finish = exampleCallback("WorkflowFinish", { set: { RunId: runId } });
    const [startKey, finishKey] = [identifyEvent(start).key, identifyEvent(finish).key];
    expect(startKey).to.match(/^WorkflowStart:/);
    expect(finishKey).to.match(/^WorkflowFinish:/);
    expect(startKey).to.not.equal(finishKey);
  });
});

describe("the job Tags CI's SDKs submit with a callback", () => {
  const tags = ["PosterProduction", "DocAIGCMetadata", "DocWatermark", "GeneratePlayList", "VideoSynthesis", "FillConcat", "DNA"] as const;
  for (const tag of tags) {
    it(`${tag}: its sample parses in strict mode from XML and JSON to the same known job`, () => {
      const xml = parseCallback(exampleBody(tag, "xml"), { strict: true });
      const json = parseCallback(exampleBody(tag, "json"), { strict: true });
      expect(xml).to.deep.equal(json);
      if (!isKnownCallback(json) || json.EventName !== "TaskFinish") return expect.fail("a TaskFinish callback");
      const job = json.JobsDetail[0];
      expect(isKnownJob(job) && job.Tag).to.equal(tag);
    });
  }

  it("DNA: the Go SDK's DnaResult and the Java SDK's DNAResult both parse, Detection a list", () => {
    const result = { VideoId: "v1", Duration: "60", Detection: { VideoId: "v2", Similar: "90", MatchDetail: { MatchStartTime: "0", MatchEndTime: "30" } } };
    for (const node of ["DnaResult", "DNAResult"]) {
      const body = { EventName: "TaskFinish", JobsDetail: { JobId: "j1", Tag: "DNA", State: "Success", Operation: { [node]: result } } };
      const parsed = parseCallback(JSON.stringify(body), { strict: true });
      if (!isKnownCallback(parsed) || parsed.EventName !== "TaskFinish") return expect.fail("a TaskFinish callback");
      const job = parsed.JobsDetail[0];
      if (!isKnownJob(job) || job.Tag !== "DNA") return expect.fail("a DNA job");
      const read = node === "DnaResult" ? job.Operation.DnaResult : job.Operation.DNAResult;
      expect(read?.Detection?.[0]?.MatchDetail?.[0]?.MatchEndTime).to.equal("30");
    }
  });
});

describe("a listener receiving events newer than the package", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it("answers 200, hands them to the handler option and on(\"*\"), and refuses non-callbacks with 400", async () => {
    const seen: { by: string; callback: ReceivedCallback; context: CallbackContext }[] = [];
    const listener = createCallbackListener({
      secret: false,
      handler: (callback, context) => void seen.push({ by: "handler", callback, context }),
    });
    listener.on("*", (callback, context) => void seen.push({ by: "*", callback, context }));
    listener.on("TaskFinish", (callback, context) => void seen.push({ by: "TaskFinish", callback, context }));
    served = await serve(listener);
    const url = `${served.origin}/ci/callback`;

    const unknown = await post(url, JSON.stringify(imageSearch), "application/json");
    expect(unknown.status).to.equal(200);
    expect(unknown.json).to.deep.equal({ ok: true });
    expect(seen.map((s) => s.by)).to.deep.equal(["handler", "*"]);
    expect(seen[1]?.callback).to.deep.equal(imageSearch);
    expect(seen[1]?.context.key).to.match(/^Unknown:/);
    // A redelivery is a duplicate, as for the known events.
    expect((await post(url, imageSearchXml, "application/xml")).json).to.deep.equal({ ok: true, duplicate: true });

    // `*` sees known events too, before their own names.
    seen.length = 0;
    expect((await post(url, exampleBody("Transcode", "xml"))).status).to.equal(200);
    expect(seen.map((s) => s.by)).to.deep.equal(["handler", "*", "TaskFinish"]);

    seen.length = 0;
    for (const [what, body] of notCallbacks) expect((await post(url, body, "application/json")).status, what).to.equal(400);
    // A moderation-shaped body with a bad version: a Simple body announced as Detail.
    const simple = exampleBody("ReviewText", "json", { version: "Simple" });
    expect(await postAs(url, simple, "Detail")).to.equal(400);
    expect(seen).to.deep.equal([]);
    expect(await postAs(url, simple, "Simple")).to.equal(200);
    expect(seen.map((s) => s.by)).to.deep.equal(["handler", "*"]);
  });

  it("hands WorkflowStart to on(\"WorkflowStart\"), and the same run's WorkflowFinish is no duplicate of it", async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const listener = createCallbackListener({ secret: false });
    listener.on("WorkflowStart", (callback) => void started.push(callback.WorkflowExecution.RunId));
    listener.on("WorkflowFinish", (callback) => void finished.push(callback.WorkflowExecution.RunId));
    served = await serve(listener);
    const url = `${served.origin}/ci/callback`;
    const runId = "i166ee19017b011eda8a5525400c540df";
    const start = await post(url, exampleBody("WorkflowStart", "xml", { set: { RunId: runId } }));
    const finish = await post(url, exampleBody("WorkflowFinish", "json", { set: { RunId: runId } }), "application/json");
    expect([start.json, finish.json]).to.deep.equal([{ ok: true }, { ok: true }]);
    expect([started, finished]).to.deep.equal([[runId], [runId]]);
  });
});

/** POSTs a JSON body with an X-Ci-Content-Version header; the answer's status. */
async function postAs(url: string, body: string, version: string): Promise<number> {
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-ci-content-version": version };
  return (await send(url, { headers, chunks: [body] })).status;
}
