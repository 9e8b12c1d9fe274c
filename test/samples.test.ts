import { spawnSync } from "node:child_process";
import { expect } from "chai";
import {
  createCallbackListener,
  exampleBody,
  exampleCallback,
  exampleNames,
  identifyEvent,
  knownJobTags,
  parseCallback,
  validateCallback,
} from "../src";
import { samples } from "../generated/samples";
import { knownModerationDetailCallbackEventNames, knownModerationSimpleDataEvents } from "../generated/unions";
import { toXmlBody } from "../src/samples/xml-writer";
import { cliPath, ensureBuilt } from "./support/built";

describe("the sample callbacks", () => {
  it("exist for every known job Tag, WorkflowFinish and every moderation event", () => {
    const expected = [...knownJobTags, "WorkflowFinish", ...knownModerationDetailCallbackEventNames];
    expect([...exampleNames].sort()).to.deep.equal(expected.sort());
    // exampleNames is known without loading the samples: it must name them all, in their order.
    expect(exampleNames).to.deep.equal(Object.keys(samples));
  });

  for (const name of knownModerationDetailCallbackEventNames) {
    it(`${name}: its Detail sample (and Simple one, where the event has it) validates in strict mode and reads back from JSON`, () => {
      const versions = knownModerationSimpleDataEvents.has(name) ? (["Detail", "Simple"] as const) : (["Detail"] as const);
      for (const version of versions) {
        const sample = exampleCallback(name, { version });
        const validated = validateCallback(sample, { strict: true });
        if (!validated.ok) expect.fail(JSON.stringify(validated.error.issues));
        expect(identifyEvent(validated.value).names).to.deep.equal([name]);
        expect(parseCallback(exampleBody(name, undefined, { version }), { strict: true })).to.deep.equal(sample);
        expect(() => exampleBody(name, "xml", { version })).to.throw(RangeError, /JSON only/);
      }
    });
  }

  for (const name of exampleNames.filter((n) => !knownModerationDetailCallbackEventNames.has(n))) {
    it(`${name}: validates in strict mode, and its XML and JSON bodies parse to it`, () => {
      const sample = exampleCallback(name);
      const validated = validateCallback(sample, { strict: true });
      if (!validated.ok) expect.fail(JSON.stringify(validated.error.issues));
      expect(validated.value).to.deep.equal(sample);
      expect(parseCallback(exampleBody(name, "xml"), { strict: true })).to.deep.equal(sample);
      expect(parseCallback(exampleBody(name, "json"), { strict: true })).to.deep.equal(sample);
    });
  }

  it("are realistic: a Transcode sample carries its job's Tag, a JobId and an Operation", () => {
    const sample = exampleCallback("Transcode");
    if (sample.EventName !== "TaskFinish") return expect.fail("a Transcode sample is a TaskFinish callback");
    expect(sample.JobsDetail[0]).to.include({ Tag: "Transcode", State: "Success" });
    expect(Object.keys(sample.JobsDetail[0].Operation ?? {})).to.have.length.greaterThan(2);
  });

  it("are copies: changing one leaves the next untouched", () => {
    const first = exampleCallback("WorkflowFinish") as { EventName: string };
    first.EventName = "changed";
    expect(exampleCallback("WorkflowFinish").EventName).to.equal("WorkflowFinish");
    expect(() => exampleCallback("NoSuchJob" as string)).to.throw(RangeError);
  });

  it("are each their own event: every sample, Detail and Simple, has its own dedup key, the same on every call", () => {
    const all = [
      ...exampleNames.map((name) => exampleCallback(name)),
      ...[...knownModerationSimpleDataEvents].map((name) => exampleCallback(name, { version: "Simple" })),
    ];
    const keys = all.map((callback) => identifyEvent(callback).key);
    expect(keys.every((key) => key !== undefined)).to.equal(true);
    expect(new Set(keys).size).to.equal(all.length);
    expect(identifyEvent(exampleCallback("Transcode")).key).to.equal(keys[exampleNames.indexOf("Transcode")]);
  });

  it("have ids shaped like CI's: a job's j and 32 hex digits, a workflow run's i", () => {
    for (const tag of knownJobTags) {
      const sample = exampleCallback(tag);
      if (sample.EventName !== "TaskFinish") return expect.fail(`${tag}: a TaskFinish sample`);
      expect(sample.JobsDetail[0].JobId, tag).to.match(/^j[0-9a-f]{32}$/);
    }
    expect(exampleCallback("WorkflowFinish").WorkflowExecution.RunId).to.match(/^i[0-9a-f]{32}$/);
  });

  it("are three events to a default listener: Transcode, Snapshot and VideoTag are handled, a resend is a duplicate", async () => {
    const handled: string[] = [];
    const listener = createCallbackListener({ secret: false });
    listener.on("TaskFinish", (callback) => void handled.push(callback.JobsDetail[0].JobId ?? ""));
    const deliver = async (body: string) => (await listener.handle({ method: "POST", url: "/", body: async () => body })).body;
    for (const name of ["Transcode", "Snapshot", "VideoTag"] as const) expect(await deliver(exampleBody(name))).to.equal('{"ok":true}');
    expect(await deliver(exampleBody("Transcode", "json"))).to.equal('{"ok":true,"duplicate":true}');
    // set makes a fresh event of the same job type.
    expect(await deliver(exampleBody("Transcode", "xml", { set: { JobId: "j-fresh-1" } }))).to.equal('{"ok":true}');
    expect(handled).to.have.length(4);
    expect(handled[3]).to.equal("j-fresh-1");
  });

  it("take set: nodes replaced on the identifying node of each family, undefined removing one, the rest untouched", () => {
    const failed = exampleCallback("Transcode", { set: { JobId: "j-test-1", State: "Failed", Code: "InternalError", EndTime: undefined } });
    const job = failed.JobsDetail[0];
    expect(job).to.include({ JobId: "j-test-1", State: "Failed", Code: "InternalError", Tag: "Transcode" });
    expect(job).to.not.have.property("EndTime");
    expect(job.Operation).to.deep.equal(exampleCallback("Transcode").JobsDetail[0].Operation);
    expect(exampleCallback("WorkflowFinish", { set: { RunId: "i-test-1" } }).WorkflowExecution.RunId).to.equal("i-test-1");
    expect(exampleCallback("ReviewImage", { set: { JobId: "si-test-1", Result: 1 } }).JobsDetail).to.include({ JobId: "si-test-1", Result: 1 });
    expect(exampleCallback("ReviewImage", { version: "Simple", set: { trace_id: "t-1" } }).data.trace_id).to.equal("t-1");
    for (const callback of [failed, exampleCallback("ReviewImage", { version: "Simple", set: { trace_id: "t-1" } })]) {
      const validated = validateCallback(callback, { strict: true });
      if (!validated.ok) expect.fail(JSON.stringify(validated.error.issues));
    }
    // A key that is an Object.prototype member is a node like any other: the sample's prototype stays.
    const odd = exampleCallback("Transcode" as string, { set: JSON.parse('{"__proto__":"x"}') as Record<string, string> });
    if (odd.EventName !== "TaskFinish") return expect.fail("a TaskFinish sample");
    expect(Object.getPrototypeOf(odd.JobsDetail[0])).to.equal(Object.prototype);
    expect(Object.hasOwn(odd.JobsDetail[0], "__proto__")).to.equal(true);
  });

  it("are printed by `ci-callback example NAME --format xml|json`", () => {
    ensureBuilt();
    const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, "example", ...args], { encoding: "utf8" });
    expect(parseCallback(run("Snapshot").stdout)).to.deep.equal(exampleCallback("Snapshot"));
    expect(JSON.parse(run("Tts", "--format", "json").stdout)).to.deep.equal(exampleCallback("Tts"));
    expect(run("NoSuchJob").status).to.equal(2);
    expect(run("Tts", "--format", "yaml").status).to.equal(2);
    expect(parseCallback(run("ReviewText", "--version", "simple").stdout)).to.deep.equal(exampleCallback("ReviewText", { version: "Simple" }));
    expect(parseCallback(run("ReviewHtml").stdout)).to.deep.equal(exampleCallback("ReviewHtml"));
    expect(run("ReviewHtml", "--version", "simple").status).to.equal(2);
    expect(run("ReviewHtml", "--format", "xml").status).to.equal(2);
  });

  it("take `ci-callback example NAME --set NODE=VALUE`, text or, where the sample has a number, a number", () => {
    ensureBuilt();
    const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, "example", ...args], { encoding: "utf8" });
    const set = run("Transcode", "--set", "JobId=j-cli-1", "--set", "State=Failed");
    expect(parseCallback(set.stdout)).to.deep.equal(exampleCallback("Transcode", { set: { JobId: "j-cli-1", State: "Failed" } }));
    const image = run("ReviewImage", "--set", "Result=1", "--set", "JobId=si-cli-1");
    expect(JSON.parse(image.stdout)).to.deep.equal(exampleCallback("ReviewImage", { set: { Result: 1, JobId: "si-cli-1" } }));
    const simple = run("ReviewText", "--version", "simple", "--set", "trace_id=t-cli-1");
    expect(parseCallback(simple.stdout)).to.deep.equal(exampleCallback("ReviewText", { version: "Simple", set: { trace_id: "t-cli-1" } }));
    const refused: [string[], RegExp][] = [
      [["Transcode", "--set", "State=Done"], /--set makes an invalid callback: validation error: \/JobsDetail\/0\/State/],
      [["Transcode", "--set", "Colour=red"], /--set makes an invalid callback: .*Colour/],
      [["Transcode", "--set", "JobId"], /--set takes NODE=VALUE/],
      [["ReviewImage", "--set", "Result=high"], /--set Result takes a number, not "high"/],
    ];
    for (const [args, message] of refused) {
      const refusal = run(...args);
      expect(refusal.status, args.join(" ")).to.equal(2);
      expect(refusal.stderr).to.match(message);
      expect(refusal.stdout).to.equal("");
    }
  });
});

describe("the XML writer", () => {
  it("keeps text that xml-js alone would change: a literal &amp;, ]]>, markup characters and CR", () => {
    const sample = exampleCallback("VideoEnhance");
    if (sample.EventName !== "TaskFinish") return expect.fail("a TaskFinish sample");
    const job = sample.JobsDetail[0] as { Operation: { UserData?: string } };
    for (const text of ["a &amp; b", "x]]>y & z", "<tag> & \"quotes\" 'too'", "]]>]]>&", "two\r\nlines &amp;\r", "\r"]) {
      job.Operation.UserData = text;
      const back = parseCallback(toXmlBody(sample));
      if (back.EventName !== "TaskFinish") return expect.fail("a TaskFinish callback");
      expect((back.JobsDetail[0] as { Operation: { UserData?: string } }).Operation.UserData).to.equal(text);
    }
  });
});

