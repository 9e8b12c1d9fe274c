// Every reference callback in test/fixtures/examples parses and validates in strict mode, with no
// node the schema does not know; the documents' invalid bodies give a clean parse error; XML and JSON forms
// of the same event give the same object.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { isKnownCallback, isKnownJob, parseCallback, safeParseCallback } from "../src";
import { example, examplesDir } from "./support/examples";

/** Bodies the documents print that are not well-formed, and what is wrong with them. */
const invalid: Record<string, RegExp> = {
  // A query-response skeleton (the DocProcess callback document points to it), not a callback: `<TgtType></TgtType/>`.
  "DocProcess/intl-query-DescribeDocProcessJob-skeleton.xml": /^XML is not well-formed at line 27, column 51: /,
  "Translation/intl-29293011-2.json": /^JSON is not well-formed at line \d+, column \d+/,
};

/** The same event published as XML and as JSON. */
const pairs = [
  ["VideoEnhance/seed-2.xml", "VideoEnhance/seed-3.json"],
  ["Snapshot/intl-90271343-2.xml", "Snapshot/intl-90271343-3.json"],
  ["WordsGeneralize/intl-499695381-1.xml", "WordsGeneralize/intl-499695381-2.json"],
];

// Media and workflow callbacks, a folder per Tag; moderation/ has its own test (moderation.test.ts).
const fixtures = readdirSync(examplesDir)
  .filter((dir) => dir !== "moderation")
  .sort()
  .flatMap((dir) => readdirSync(join(examplesDir, dir)).sort().map((file) => `${dir}/${file}`));

describe("the reference examples", () => {
  it("are all found", () => {
    expect(fixtures.length).to.be.greaterThan(30);
  });

  for (const name of fixtures) {
    const [folder] = name.split("/");
    if (invalid[name]) {
      it(`${name} is rejected with a parse error naming line and column`, () => {
        const result = safeParseCallback(example(name));
        expect(result.ok).to.equal(false);
        if (result.ok) return;
        expect(result.error.kind).to.equal("parse");
        expect(result.error.issues[0].message).to.match(invalid[name]);
      });
      continue;
    }
    it(`${name} parses in strict mode as a ${folder} callback`, () => {
      const result = safeParseCallback(example(name), { strict: true });
      if (!result.ok) expect.fail(JSON.stringify(result.error.issues, null, 1));
      const callback = result.value;
      if (folder === "WorkflowFinish") {
        expect(callback.EventName).to.equal("WorkflowFinish");
      } else {
        expect(callback.EventName).to.equal("TaskFinish");
        if (isKnownCallback(callback) && callback.EventName === "TaskFinish") expect(callback.JobsDetail.map((j) => j.Tag)).to.deep.equal([folder]);
      }
    });
  }

  it("a 2020 Transcode skeleton closing <MediaInfo> with </MeidaInfo>, as the old docs print it, is rejected with line and column", () => {
    const skeleton = example("Transcode/old-en-922529577-1.xml")
      .toString()
      .replace("<Operation>", "<Operation>\n            <MediaInfo>\n                <Format/>\n            </MeidaInfo>");
    const result = safeParseCallback(skeleton);
    if (result.ok) return expect.fail("the skeleton parsed");
    expect(result.error.kind).to.equal("parse");
    expect(result.error.issues[0].message).to.match(/^XML is not well-formed at line \d+, column \d+/);
  });

  for (const [xml, json] of pairs) {
    it(`${xml} and ${json} give the same object`, () => {
      expect(parseCallback(example(xml))).to.deep.equal(parseCallback(example(json)));
    });
  }
});

describe("the documented quirks", () => {
  const job = (name: string, edit: (xml: string) => string = (xml) => xml) => {
    const callback = parseCallback(edit(example(name).toString()), { strict: true });
    if (!isKnownCallback(callback) || callback.EventName !== "TaskFinish") return expect.fail("a TaskFinish callback");
    const [first] = callback.JobsDetail;
    if (!isKnownJob(first)) return expect.fail("a known job type");
    return first;
  };

  it("Tts: no JobsDetail.Input, and a workflow's CosHeaders under Operation.Input", () => {
    const tts = job("Tts/intl-92462162-1.xml", (xml) =>
      xml.replace("<Operation>", "<Operation><Input><CosHeaders><Key>Content-Type</Key><Value>text/plain</Value></CosHeaders></Input>"),
    );
    if (tts.Tag !== "Tts") return expect.fail("a Tts job");
    expect(tts).not.to.have.property("Input");
    expect(tts.Operation.Input?.CosHeaders).to.deep.equal([{ Key: "Content-Type", Value: "text/plain" }]);
  });

  it("VideoTag: the stray empty <VideoTag/> under JobsDetail is absent", () => {
    expect(job("VideoTag/intl-884904661-1.xml")).not.to.have.property("VideoTag");
  });

  it("WordsGeneralize: WordsGeneralizeLable (sic) is typed, and the job without a Tag is recognised", () => {
    const words = job("WordsGeneralize/intl-499695381-1.xml");
    if (words.Tag !== "WordsGeneralize") return expect.fail("a WordsGeneralize job");
    expect(words.Operation.WordsGeneralizeResult?.WordsGeneralizeLable?.[0]).to.deep.equal({ Category: "Mobility", Word: "Taxi" });
  });

  it("SuperResolution's SubTag, VocalScore's QueueType, PicProcess's quoted Etag and a Message on success are kept", () => {
    expect(job("SuperResolution/intl-193857565-1.xml").SubTag).to.equal("DigitalWatermark");
    expect(job("VocalScore/cos436-98022-1.xml").QueueType).to.be.a("string");
    expect(JSON.stringify(job("PicProcess/intl-206061784-1.xml"))).to.match(/"Etag":"\\"[0-9a-f]+\\""/);
    expect(job("WordsGeneralize/intl-499695381-1.xml").Message).to.equal("Success");
  });
});
