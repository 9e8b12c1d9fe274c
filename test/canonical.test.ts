import { expect } from "chai";
import { CallbackError, parseCallback, safeParseCallback, validateCallback } from "../src";
import { jsonBody, xmlBody } from "./support/bodies";
import { parseVideoEnhanceJob } from "./support/task-finish";

const cosHeader = (n: number) => `<CosHeaders><Key>k${n}</Key><Value>v${n}</Value></CosHeaders>`;
const input = (headers: string) => `<Input><Object>in.mp4</Object>${headers}</Input>`;

describe("the canonical object", () => {
  describe("lists", () => {
    it("are arrays with one item and with many, from XML", () => {
      expect(parseVideoEnhanceJob(xmlBody(input(cosHeader(1)))).Input?.CosHeaders).to.deep.equal([
        { Key: "k1", Value: "v1" },
      ]);
      const many = parseVideoEnhanceJob(xmlBody(input(cosHeader(1) + cosHeader(2) + cosHeader(3))));
      expect(many.Input?.CosHeaders?.map((h) => h.Key)).to.deep.equal(["k1", "k2", "k3"]);
    });

    it("are arrays when JSON sends a bare object or a bare string", () => {
      const body = JSON.stringify({
        EventName: "TaskFinish",
        JobsDetail: {
          JobId: "j1",
          Tag: "VideoEnhance",
          State: "Success",
          Input: { Object: "in.mp4", CosHeaders: { Key: "k1", Value: "v1" } },
          Operation: { MediaResult: { OutputFile: { ObjectName: "out.mp4", Md5Info: { Md5: "m", ObjectName: "out.mp4" } } } },
        },
      });
      const job = parseVideoEnhanceJob(body);
      expect(job.Input?.CosHeaders).to.deep.equal([{ Key: "k1", Value: "v1" }]);
      expect(job.Operation.MediaResult?.OutputFile?.ObjectName).to.deep.equal(["out.mp4"]);
      expect(job.Operation.MediaResult?.OutputFile?.Md5Info).to.deep.equal([{ Md5: "m", ObjectName: "out.mp4" }]);
    });

    it("keep every item of a JSON array, and XML and JSON agree", () => {
      const xml = parseCallback(xmlBody(input(cosHeader(1) + cosHeader(2))));
      const json = parseCallback(
        jsonBody({ Input: { Object: "in.mp4", CosHeaders: [{ Key: "k1", Value: "v1" }, { Key: "k2", Value: "v2" }] } }),
      );
      expect(xml).to.deep.equal(json);
    });
  });

  describe("leaves", () => {
    it("normalise JobLevel to one type: XML text, JSON number 0 and JSON string \"0\" give \"0\"", () => {
      const levels = [
        parseVideoEnhanceJob(xmlBody("", "<JobLevel>0</JobLevel>")),
        parseVideoEnhanceJob(jsonBody({}, { JobLevel: 0 })),
        parseVideoEnhanceJob(jsonBody({}, { JobLevel: "0" })),
      ].map((job) => job.Operation.JobLevel);
      expect(levels).to.deep.equal(["0", "0", "0"]);
    });

    it("keep their wire text", () => {
      const op = "<MediaInfo><Format><Bitrate>10269.090000</Bitrate><StartTime>0.000000</StartTime></Format></MediaInfo>";
      expect(parseVideoEnhanceJob(xmlBody("", op)).Operation.MediaInfo?.Format).to.deep.equal({
        Bitrate: "10269.090000",
        StartTime: "0.000000",
      });
    });
  });

  describe("empty nodes", () => {
    it("are absent: empty elements, containers with nothing inside, and empty JSON values", () => {
      const xml = parseCallback(
        xmlBody(
          "<Message/><Code></Code>",
          "<TemplateId>t1</TemplateId><MediaInfo><Format/><Stream><Subtitle/></Stream></MediaInfo>" +
            "<MediaResult><OutputFile><ObjectPrefix/><ObjectName>o.mp4</ObjectName><Md5Info/></OutputFile></MediaResult>",
        ),
      );
      const json = parseCallback(
        jsonBody(
          { Message: "", Code: null, Workflow: {} },
          {
            TemplateId: "t1",
            MediaInfo: { Format: {}, Stream: { Subtitle: [] } },
            MediaResult: { OutputFile: { ObjectPrefix: "", ObjectName: ["o.mp4"], Md5Info: [{}] } },
          },
        ),
      );
      const expected = {
        EventName: "TaskFinish",
        JobsDetail: [
          {
            JobId: "j1",
            Tag: "VideoEnhance",
            State: "Success",
            Operation: { TemplateId: "t1", MediaResult: { OutputFile: { ObjectName: ["o.mp4"] } } },
          },
        ],
      };
      expect(xml).to.deep.equal(expected);
      expect(json).to.deep.equal(expected);
    });
  });

  describe("unknown nodes", () => {
    const unknown =
      "<NewField>abc</NewField><Extra>1</Extra><Extra>2</Extra><Details><Depth>3</Depth><Empty/></Details>";

    it("are kept, a repeated one as an array, and validation still passes", () => {
      const job = parseVideoEnhanceJob(xmlBody(unknown)) as unknown as Record<string, unknown>;
      expect(job.NewField).to.equal("abc");
      expect(job.Extra).to.deep.equal(["1", "2"]);
      expect(job.Details).to.deep.equal({ Depth: "3" });
    });

    it("are kept from JSON too, numbers as their text", () => {
      const job = parseVideoEnhanceJob(jsonBody({ NewField: "abc", Count: 7, Nested: { Flag: true } }));
      expect(job).to.deep.include({ NewField: "abc", Count: "7", Nested: { Flag: "true" } });
    });

    it("are reported one by one, with their paths, by { strict: true }", () => {
      const result = safeParseCallback(xmlBody(unknown, "<TemplateId>t</TemplateId><Surprise>x</Surprise>"), {
        strict: true,
      });
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.error.kind).to.equal("validation");
      expect(result.error.issues.map((i) => i.path)).to.deep.equal([
        "/JobsDetail/0/NewField",
        "/JobsDetail/0/Extra",
        "/JobsDetail/0/Details",
        "/JobsDetail/0/Operation/Surprise",
      ]);
    });
  });

  describe("the JSON envelope", () => {
    it("accepts a body wrapped in {\"Response\": …} and gives the same object", () => {
      const bare = jsonBody();
      expect(parseCallback(`{"Response": ${bare}}`)).to.deep.equal(parseCallback(bare));
    });
  });

  describe("format detection", () => {
    it("reads the format from the first non-blank character, after a BOM", () => {
      expect(parseVideoEnhanceJob(`\uFEFF \r\n\t${xmlBody()}`).JobId).to.equal("j1");
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\n${jsonBody()}`)]);
      expect(parseVideoEnhanceJob(bytes).JobId).to.equal("j1");
    });

    it("uses the Content-Type only to cross-check", () => {
      expect(parseCallback(xmlBody(), { contentType: "application/xml; charset=utf-8" }).EventName).to.equal("TaskFinish");
      expect(parseCallback(jsonBody(), { contentType: "text/plain" }).EventName).to.equal("TaskFinish");
      const error = safeParseCallback(xmlBody(), { contentType: "application/json" });
      expect(error.ok).to.equal(false);
      if (!error.ok) expect(error.error.kind).to.equal("parse");
    });
  });

  describe("validateCallback", () => {
    it("normalises then validates a value another service already decoded", () => {
      const result = validateCallback({
        EventName: "TaskFinish",
        JobsDetail: { JobId: "j1", Tag: "VideoEnhance", State: "Success", Operation: { JobLevel: 1 } },
      });
      expect(result).to.deep.equal({
        ok: true,
        value: {
          EventName: "TaskFinish",
          JobsDetail: [{ JobId: "j1", Tag: "VideoEnhance", State: "Success", Operation: { JobLevel: "1" } }],
        },
      });
    });

    it("returns the issues of an invalid value instead of throwing", () => {
      const result = validateCallback({ EventName: "TaskFinish" });
      expect(result.ok).to.equal(false);
      if (!result.ok) {
        expect(result.error).to.be.instanceOf(CallbackError);
        expect(result.error.issues).to.deep.equal([{ path: "/JobsDetail", message: "is required but missing" }]);
      }
    });
  });
});
