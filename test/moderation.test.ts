// Content-moderation callbacks (JSON only), Detail and Simple: the documents' all-nodes skeletons parse in
// strict mode; bodies the tests write check numbers, maps, lists, versions, the console's test request and
// bad input; a listener with the default dedup hands each live-stream progress callback over once.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import {
  CONSOLE_TEST_MESSAGE,
  createCallbackListener,
  identifyEvent,
  parseCallback,
  safeParseCallback,
  type CallbackContext,
  type ParseOptions,
  type ReceivedCallback,
  isKnownCallback,
} from "../src";
import { example, examplesDir } from "./support/examples";
import { send, serve } from "./support/http";

const skeletons = readdirSync(join(examplesDir, "moderation")).sort();

/** A Detail body of `event` whose JobsDetail holds `job` beside a JobId and State. */
const detail = (event: string, job: Record<string, unknown>, state = "Success") =>
  JSON.stringify({ EventName: event, JobsDetail: { JobId: "job-1", State: state, ...job } });

/** A Simple body whose data holds `data` beside a trace_id. */
const simple = (data: Record<string, unknown>, message = "success") =>
  JSON.stringify({ code: 0, message, data: { trace_id: "job-1", ...data } });

function failure(body: string, options?: ParseOptions) {
  const result = safeParseCallback(body, options);
  if (result.ok) expect.fail("the body parsed, but it should not have");
  return result.error;
}

describe("moderation callbacks", () => {
  it("every version of every event has a reference skeleton", () => {
    expect(skeletons).to.have.length(12);
  });

  for (const name of skeletons) {
    const [event, ...rest] = name.split("-");
    const version = rest.at(-1);
    it(`${name} parses in strict mode as ${version === "Simple" ? "a Simple body (the console's test request)" : `a Detail ${event} callback`}`, () => {
      const [file] = readdirSync(join(examplesDir, "moderation", name));
      const callback = parseCallback(example(`moderation/${name}/${file}`), { strict: true });
      const identity = identifyEvent(callback);
      if (version === "Simple") {
        expect(callback.EventName).to.equal(undefined);
        expect(identity).to.deep.equal({ names: [], key: undefined, test: true });
      } else {
        expect(callback.EventName).to.equal(event);
        expect(identity.names).to.deep.equal([event]);
      }
    });
  }

  it("keep JSON numbers as numbers and CosHeaders as a map of header name to value", () => {
    const callback = parseCallback(
      detail("ReviewImage", { Result: 1, Score: 97, CosHeaders: { "x-cos-meta-id": "u1", "Content-Type": "image/png" } }),
      { strict: true },
    );
    if (!isKnownCallback(callback) || callback.EventName !== "ReviewImage") return expect.fail("not a ReviewImage Detail callback");
    expect(callback.JobsDetail.Result).to.equal(1);
    expect(callback.JobsDetail.Score).to.equal(97);
    expect(callback.JobsDetail.CosHeaders).to.deep.equal({ "x-cos-meta-id": "u1", "Content-Type": "image/png" });
  });

  it("refuse unsafe map keys, and numbers written as text", () => {
    const proto = failure(detail("ReviewImage", { CosHeaders: JSON.parse('{"__proto__":"x"}') as object }));
    expect(proto.kind).to.equal("parse");
    expect(proto.issues[0]).to.deep.equal({ path: "/JobsDetail/CosHeaders", message: "a node name is not allowed" });
    const text = failure(detail("ReviewImage", { Result: "1" }));
    expect(text.kind).to.equal("validation");
    expect(text.issues).to.deep.include({ path: "/JobsDetail/Result", message: "must be a whole number" });
  });

  it("give a validation error with JSON Pointer paths to a known event that breaks its schema", () => {
    const error = failure(detail("ReviewVideo", { Snapshot: [{ Result: 7 }, { Result: 0 }] }, "Done"));
    expect(error.kind).to.equal("validation");
    expect(error.issues.map((i) => i.path)).to.include.members(["/JobsDetail/State", "/JobsDetail/Snapshot/0/Result"]);
  });

  it("make a list node an array with one item or many, a bare object included", () => {
    const one = parseCallback(detail("ReviewVideo", { Snapshot: { Url: "a", Result: 0 } }));
    const many = parseCallback(detail("ReviewVideo", { Snapshot: [{ Url: "a", Result: 0 }, { Url: "b", Result: 2 }] }));
    if (!isKnownCallback(one) || !isKnownCallback(many) || one.EventName !== "ReviewVideo" || many.EventName !== "ReviewVideo") {
      return expect.fail("not ReviewVideo");
    }
    expect(one.JobsDetail.Snapshot).to.deep.equal([{ Url: "a", Result: 0 }]);
    expect(many.JobsDetail.Snapshot?.map((s) => s.Result)).to.deep.equal([0, 2]);
  });

  it("tell Simple bodies apart by data.event, or by the nodes only one event has", () => {
    const image = parseCallback(simple({ event: "ReviewImage", result: 0, porn_info: { hit_flag: 0, score: 3 } }), { strict: true });
    expect(identifyEvent(image).names).to.deep.equal(["ReviewImage"]);
    const text = parseCallback(simple({ abuse_info: { hit_flag: 1, count: 2 } }), { strict: true });
    if (text.EventName !== undefined) expect.fail("not a Simple body");
    expect(text.data.event).to.equal("ReviewText");
    const unnamed = parseCallback(simple({ result: 0 }), { strict: true });
    expect(identifyEvent(unnamed).names).to.deep.equal([]);
  });

  it("cross-check X-Ci-Content-Version against the body's shape", () => {
    const detailBody = detail("ReviewText", { Result: 0 });
    const simpleBody = simple({ event: "ReviewText", result: 0 });
    expect(parseCallback(detailBody, { contentVersion: "Detail" }).EventName).to.equal("ReviewText");
    expect(parseCallback(simpleBody, { contentVersion: "simple" }).EventName).to.equal(undefined);
    expect(failure(detailBody, { contentVersion: "Simple" }).issues[0].message).to.equal(
      "X-Ci-Content-Version says Simple but the body is a Detail callback",
    );
    expect(failure(simpleBody, { contentVersion: "Detail" }).issues[0].message).to.equal(
      "X-Ci-Content-Version says Detail but the body is a Simple callback",
    );
  });

  it("refuse what would pass for another family: XML moderation, a media body with data, a trailing comma", () => {
    const xml = "<Response><EventName>ReviewImage</EventName><JobsDetail><JobId>j</JobId><State>Success</State></JobsDetail></Response>";
    expect(failure(xml).issues[0].message).to.equal("content-moderation callbacks are JSON only, but the body is XML");
    const media = failure(JSON.stringify({ EventName: "TaskFinish", data: { trace_id: "t" } }));
    expect(media.issues.map((i) => i.path)).to.include("/JobsDetail");
    const comma = failure('{"EventName":"ReviewImage","JobsDetail":{"JobId":"j","State":"Success",}}');
    expect(comma.kind).to.equal("parse");
    expect(comma.issues[0].message).to.match(/^JSON is not well-formed at line 1, column \d+/);
  });

  describe("through a listener with the default dedup", () => {
    async function receive(bodies: { body: string; version?: string }[]) {
      const handled: { callback: ReceivedCallback; context: CallbackContext }[] = [];
      const tests: ReceivedCallback[] = [];
      const listener = createCallbackListener({ secret: false, onTest: (callback) => tests.push(callback), onError: () => undefined });
      listener.on("ReviewVideo", (callback, context) => {
        handled.push({ callback, context });
      });
      const served = await serve(listener);
      try {
        const replies = [];
        for (const { body, version } of bodies) {
          const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
          if (version !== undefined) headers["x-ci-content-version"] = version;
          replies.push(await send(`${served.origin}/`, { headers, chunks: [body] }));
        }
        return { replies, handled, tests };
      } finally {
        await served.close();
      }
    }

    it("hands each live progress callback over once, drops true redeliveries, and keys final callbacks by job", async () => {
      const frame = (n: number) => detail("ReviewVideo", { Type: "live_video", SnapshotCount: 1, Snapshot: [{ SnapshotTime: n, Result: 0 }] }, "Auditing");
      const final = detail("ReviewVideo", { Type: "live_video", Result: 0 });
      const { replies, handled } = await receive([
        { body: frame(1000), version: "Detail" },
        { body: frame(2000), version: "Detail" },
        { body: frame(2000), version: "Detail" },
        { body: final, version: "Detail" },
        { body: final.replace('"Result":0', '"Result":0,"Label":"Normal"'), version: "Detail" },
      ]);
      expect(replies.map((r) => r.json)).to.deep.equal([
        { ok: true },
        { ok: true },
        { ok: true, duplicate: true },
        { ok: true },
        { ok: true, duplicate: true },
      ]);
      expect(handled).to.have.length(3);
      expect(handled[0].context.contentVersion).to.equal("Detail");
      expect(new Set(handled.map((h) => h.context.key)).size).to.equal(3);
    });

    it("answers the console's test request 200 without a handler, and a Simple video body by its event", async () => {
      const test = simple({ url: "test_url" }, CONSOLE_TEST_MESSAGE).replace('"job-1"', '"test_trace_id"');
      const video = simple({ event: "ReviewVideo", result: 1, porn_info: { hit_flag: 1, count: 3 } });
      const { replies, handled, tests } = await receive([
        { body: test, version: "Simple" },
        { body: video, version: "Simple" },
        { body: video, version: "Detail" },
      ]);
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 400]);
      expect(replies[0].json).to.deep.equal({ ok: true, test: true });
      expect(tests).to.have.length(1);
      expect(handled).to.have.length(1);
      const [{ callback }] = handled;
      if (callback.EventName !== undefined) expect.fail("not a Simple body");
      expect(callback.data.event).to.equal("ReviewVideo");
    });
  });
});
