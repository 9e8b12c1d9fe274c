import { spawnSync } from "node:child_process";
import { expect } from "chai";
import {
  exampleBody,
  exampleCallback,
  exampleNames,
  identifyEvent,
  knownJobTags,
  parseCallback,
  validateCallback,
} from "../src";
import { knownModerationDetailCallbackEventNames, knownModerationSimpleDataEvents } from "../generated/unions";
import { toXmlBody } from "../src/xml-writer";
import { cliPath, ensureBuilt } from "./support/built";

describe("the sample callbacks", () => {
  it("exist for every known job Tag, WorkflowFinish and every moderation event", () => {
    const expected = [...knownJobTags, "WorkflowFinish", ...knownModerationDetailCallbackEventNames];
    expect([...exampleNames].sort()).to.deep.equal(expected.sort());
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
    expect(() => exampleCallback("NoSuchJob")).to.throw(RangeError);
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

