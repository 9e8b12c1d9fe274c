// The document and file job types and Watermark: a finished job's TaskFinish body, as XML and as JSON, parses in
// strict mode to its own job type. CI documents the DocProcess body only as "the query response's fields" and
// the others not at all (inferred from their submit/query responses), so the bodies are built from those
// documents: DocProcess from the query skeleton in test/fixtures, the others from the submit/query values.
import { expect } from "chai";
import {
  type DocProcessJob,
  type FileCompressJob,
  type FileHashCodeJob,
  type FileUncompressJob,
  type Job,
  type KnownJob,
  type WatermarkJob,
  CallbackError,
  isKnownJob,
  parseCallback,
  safeParseCallback,
  isKnownCallback,
} from "../src";
import { writeXml } from "./support/callback-writers";
import { exampleText } from "./support/examples";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

type Tag = "DocProcess" | "FileCompress" | "FileUncompress" | "FileHashCode" | "Watermark";
const tags: readonly Tag[] = ["DocProcess", "FileCompress", "FileUncompress", "FileHashCode", "Watermark"];

/** One DocProcess output, as the query document's examples show them (the last three for spreadsheets only). */
interface Page {
  PageNo: string;
  TgtUri: string;
  PicIndex?: string;
  PicNum?: string;
  "X-SheetPics"?: string;
}

const onePage: Page[] = [{ PageNo: "2", TgtUri: "big/test-1" }];
const sheetPages: Page[] = [
  { PageNo: "1", TgtUri: "mark2/1/test-1.jpg", PicIndex: "1", PicNum: "1", "X-SheetPics": "2" },
  { PageNo: "1", TgtUri: "mark2/1/test-2.jpg", PicIndex: "2", PicNum: "2", "X-SheetPics": "2" },
];

/** A DocProcess job with the query document's values; its Message is the skeleton's single space. */
function docProcessJob(pages: Page[]): Record<string, unknown> {
  return {
    Code: "Success",
    CreationTime: "2020-07-24T17:28:47+0800",
    EndTime: "2020-07-24T17:28:49+0800",
    Input: { Object: "1.doc" },
    JobId: "d13cfd584cd9011ea820b597ad1785a2f",
    Message: " ",
    Operation: {
      DocProcess: { EndPage: "-1", StartPage: "1", TgtType: "png" },
      DocProcessResult: {
        FailPageCount: "0",
        // CI's JSON sends a one-item list as a bare object.
        PageInfo: pages.length === 1 ? pages[0] : pages,
        SuccPageCount: String(pages.length),
        TotalPageCount: String(pages.length),
      },
      Output: { Bucket: "examplebucket-1250000000", Object: "big/test-${Number}", Region: "ap-chongqing" },
    },
    QueueId: "p50882922b848464fadd222d771438328",
    State: "Success",
    Tag: "DocProcess",
  };
}

/**
 * The DescribeDocProcessJob skeleton made into a callback: `<TgtType></TgtType/>` closed properly, an
 * EventName added, PageInfo repeated once per page and the empty leaves filled, in document order, with the
 * values of {@link docProcessJob} (SrcType, ImageParams, TaskId and the result's TgtType stay empty).
 */
function docProcessXml(pages: Page[]): string {
  const leaves: [string, string][] = [
    ["Code", "Success"],
    ["CreationTime", "2020-07-24T17:28:47+0800"],
    ["EndTime", "2020-07-24T17:28:49+0800"],
    ["Object", "1.doc"],
    ["JobId", "d13cfd584cd9011ea820b597ad1785a2f"],
    ["EndPage", "-1"],
    ["StartPage", "1"],
    ["TgtType", "png"],
    ["FailPageCount", "0"],
    ["SuccPageCount", String(pages.length)],
    ["TotalPageCount", String(pages.length)],
    ["Bucket", "examplebucket-1250000000"],
    ["Object", "big/test-${Number}"],
    ["Region", "ap-chongqing"],
    ["QueueId", "p50882922b848464fadd222d771438328"],
    ["State", "Success"],
    ["Tag", "DocProcess"],
  ];
  const skeleton = exampleText("DocProcess/intl-query-DescribeDocProcessJob-skeleton.xml");
  const pageInfo = /( *)<PageInfo>[^]*?<\/PageInfo>\n/;
  const indent = pageInfo.exec(skeleton)?.[1] ?? "";
  const pagesXml = pages
    .map((page) => {
      const children = Object.entries(page).map(([name, value]) => `${indent}        <${name}>${value}</${name}>\n`);
      return `${indent}<PageInfo>\n${children.join("")}${indent}</PageInfo>\n`;
    })
    .join("");
  let xml = skeleton
    .replace("<TgtType></TgtType/>", "<TgtType></TgtType>")
    .replace("<Response>\n", "<Response>\n        <EventName>TaskFinish</EventName>\n")
    .replace(pageInfo, () => pagesXml);
  for (const [name, value] of leaves) xml = xml.replace(`<${name}></${name}>`, () => `<${name}>${value}</${name}>`);
  return xml;
}

const bucket = { Region: "ap-chongqing", Bucket: "test-1234567890" };
const input = (object: string) => ({ BucketId: "test-1234567890", Object: object, Region: "ap-chongqing" });
const envelope = (tag: Tag, jobId: string) => ({
  Code: "Success",
  JobId: jobId,
  Tag: tag,
  State: "Success",
  CreationTime: "2022-07-18T15:16:43+0800",
  StartTime: "2022-07-18T15:16:44+0800",
  EndTime: "2022-07-18T15:16:51+0800",
  QueueId: "p2911917386e148639319e13c285cc774",
});

/** The inferred jobs, with the values of the submit and query documents, written as CI's JSON would send them. */
const inferredJobs: Record<Exclude<Tag, "DocProcess">, Record<string, unknown>> = {
  FileCompress: {
    ...envelope("FileCompress", "f93984788066911ed89ed352d4d9d2081"),
    Operation: {
      FileCompressConfig: { Flatten: "0", Format: "zip", Key: ["input/a.jpg", "input/b.jpg"] },
      Output: { ...bucket, Object: "output/archive.zip" },
      UserData: "This is my data.",
      FileCompressResult: { ...bucket, Object: "output/archive.zip" },
    },
  },
  FileUncompress: {
    ...envelope("FileUncompress", "f93984788066911ed89ed352d4d9d2084"),
    Input: input("input/test.zip"),
    Operation: {
      FileUncompressConfig: { Prefix: "output/", PrefixReplaced: "1" },
      Output: bucket,
      UserData: "This is my data.",
      FileUncompressResult: { ...bucket, FileCount: "12" },
    },
  },
  FileHashCode: {
    ...envelope("FileHashCode", "f93984788066911ed89ed352d4d9d2085"),
    Input: input("wg.txt"),
    Operation: {
      FileHashCodeConfig: { Type: "MD5", AddToHeader: "false" },
      UserData: "This is my data.",
      FileHashCodeResult: {
        MD5: "0fe771ba515b0525552f59290a50c0ef",
        FileSize: "1048576",
        LastModified: "2022-06-27T15:23:11+0800",
        Etag: '"0fe771ba515b0525552f59290a50c0ef"',
      },
    },
  },
  Watermark: {
    ...envelope("Watermark", "j8d121820f5e411ec926ef19d53ba9c6f"),
    Input: input("input/demo.mp4"),
    Operation: {
      WatermarkTemplateId: ["t1318c5f428d474afba1797f84091cbe22", "t1318c5f428d474afba1797f84091cbe23"],
      Watermark: {
        Type: "Text",
        Pos: "TopRight",
        LocMode: "Absolute",
        Dx: "128",
        Dy: "128",
        Text: {
          FontSize: "30",
          FontType: "simfang.ttf",
          FontColor: "0xF0F8F0",
          Transparency: "30",
          Text: "Tencent Cloud",
        },
      },
      Output: { ...bucket, Object: "output/watermark.mp4" },
      MediaResult: { OutputFile: { ...bucket, ObjectName: "output/watermark.mp4" } },
      UserData: "This is my Watermark job.",
      JobLevel: 0,
    },
  },
};

const job = (tag: Tag): Record<string, unknown> => (tag === "DocProcess" ? docProcessJob(onePage) : inferredJobs[tag]);
const callback = (jobsDetail: unknown) => ({ EventName: "TaskFinish", JobsDetail: jobsDetail });
const jsonBody = (jobsDetail: unknown): string => JSON.stringify(callback(jobsDetail), null, 4);
const xmlBody = (tag: Tag): string => (tag === "DocProcess" ? docProcessXml(onePage) : writeXml(callback(job(tag))));

/** The one job of a body, parsed in strict mode, of a known type. */
function parseJob(body: string): KnownJob {
  const parsed = parseCallback(body, { strict: true });
  if (!isKnownCallback(parsed) || parsed.EventName !== "TaskFinish") return expect.fail("a TaskFinish callback");
  expect(parsed.JobsDetail).to.have.length(1);
  const [first]: Job[] = parsed.JobsDetail;
  if (!isKnownJob(first)) return expect.fail(`a known job type, not ${first.Tag}`);
  return first;
}

/** What each job type's own Operation says, read through the type its Tag narrows it to. */
function results(job: KnownJob): unknown {
  switch (job.Tag) {
    case "DocProcess":
      assertType<Equal<typeof job, DocProcessJob>>();
      return job.Operation.DocProcessResult?.PageInfo?.map((page) => page.TgtUri);
    case "FileCompress":
      assertType<Equal<typeof job, FileCompressJob>>();
      return [job.Operation.FileCompressConfig?.Key, job.Operation.FileCompressResult?.Object];
    case "FileUncompress":
      assertType<Equal<typeof job, FileUncompressJob>>();
      return [job.Input?.BucketId, job.Operation.FileUncompressResult?.FileCount];
    case "FileHashCode":
      assertType<Equal<typeof job, FileHashCodeJob>>();
      return [job.Operation.FileHashCodeConfig?.Type, job.Operation.FileHashCodeResult?.MD5];
    case "Watermark":
      assertType<Equal<typeof job, WatermarkJob>>();
      return [
        job.Operation.WatermarkTemplateId?.length,
        job.Operation.Watermark?.map((w) => w.Text?.Text),
        job.Operation.JobLevel,
      ];
    default:
      return `another job type: ${job.Tag}`;
  }
}

const expectedResults: Record<Tag, unknown> = {
  DocProcess: ["big/test-1"],
  FileCompress: [["input/a.jpg", "input/b.jpg"], "output/archive.zip"],
  FileUncompress: ["test-1234567890", "12"],
  FileHashCode: ["MD5", "0fe771ba515b0525552f59290a50c0ef"],
  Watermark: [2, ["Tencent Cloud"], "0"],
};

/** The issue each type's wrong leaf (see {@link wrongBodies}) must give, at its JSON Pointer. */
const wrongLeaf: Record<Tag, { path: string; message: RegExp }> = {
  DocProcess: { path: "/JobsDetail/0/Operation/DocProcessResult/PageInfo/1/PageNo", message: /must match pattern/ },
  FileCompress: {
    path: "/JobsDetail/0/Operation/FileCompressConfig/Format",
    message: /^must be one of zip, tar, tar\.gz$/,
  },
  FileUncompress: { path: "/JobsDetail/0/Operation/FileUncompressResult/FileCount", message: /must match pattern/ },
  FileHashCode: {
    path: "/JobsDetail/0/Operation/FileHashCodeConfig/AddToHeader",
    message: /^must be one of true, false$/,
  },
  Watermark: { path: "/JobsDetail/0/Operation/Watermark/0/Pos", message: /^must be one of TopRight, / },
};

/** The bodies, XML and JSON, of a job of `tag` with one leaf made wrong. */
function wrongBodies(tag: Tag): [string, string] {
  if (tag === "DocProcess") {
    const pages = sheetPages.map((page, i) => (i === 1 ? { ...page, PageNo: "one" } : page));
    return [docProcessXml(pages), jsonBody(docProcessJob(pages))];
  }
  const wrong = structuredClone(inferredJobs[tag]);
  const child = (name: string) => (wrong.Operation as Record<string, Record<string, unknown>>)[name];
  switch (tag) {
    case "FileCompress":
      child("FileCompressConfig").Format = "rar";
      break;
    case "FileUncompress":
      child("FileUncompressResult").FileCount = "twelve";
      break;
    case "FileHashCode":
      child("FileHashCodeConfig").AddToHeader = "yes";
      break;
    case "Watermark":
      child("Watermark").Pos = "Middle";
      break;
  }
  return [writeXml(callback(wrong)), jsonBody(wrong)];
}

describe("the document and file job types, and Watermark", () => {
  for (const tag of tags) {
    describe(tag, () => {
      it("parses a TaskFinish body, XML and JSON, in strict mode to its own job type, the same from both", () => {
        const fromXml = parseJob(xmlBody(tag));
        const fromJson = parseJob(jsonBody(job(tag)));
        expect(fromXml.Tag).to.equal(tag);
        expect(results(fromXml)).to.deep.equal(expectedResults[tag]);
        expect(fromJson).to.deep.equal(fromXml);
      });

      it("reports one wrong leaf as one validation issue at its JSON Pointer, from XML and JSON alike", () => {
        for (const body of wrongBodies(tag)) {
          const result = safeParseCallback(body, { strict: true });
          if (result.ok) return expect.fail("the wrong leaf was accepted");
          expect(result.error).to.be.instanceOf(CallbackError);
          expect(result.error.kind).to.equal("validation");
          expect(result.error.issues).to.have.length(1);
          expect(result.error.issues[0].path).to.equal(wrongLeaf[tag].path);
          expect(result.error.issues[0].message).to.match(wrongLeaf[tag].message);
        }
      });
    });
  }

  describe("DocProcess PageInfo, typed as a plain Container but repeated", () => {
    it("is an array of one for one output, from XML and from a bare JSON object alike", () => {
      const fromXml = parseJob(docProcessXml(onePage));
      if (fromXml.Tag !== "DocProcess") return expect.fail("a DocProcess job");
      expect(fromXml.Operation.DocProcessResult?.PageInfo).to.deep.equal(onePage);
      expect(parseJob(jsonBody(docProcessJob(onePage)))).to.deep.equal(fromXml);
    });

    it("is an array of every output, in order, with the spreadsheet children X-SheetPics, PicIndex and PicNum typed", () => {
      const fromXml = parseJob(docProcessXml(sheetPages));
      if (fromXml.Tag !== "DocProcess") return expect.fail("a DocProcess job");
      const pages = fromXml.Operation.DocProcessResult?.PageInfo;
      expect(pages).to.deep.equal(sheetPages);
      const sheetPics: string | undefined = pages?.[1]?.["X-SheetPics"];
      expect(sheetPics).to.equal("2");
      expect(parseJob(jsonBody(docProcessJob(sheetPages)))).to.deep.equal(fromXml);
    });

    it("keeps a child the schema does not know, and strict mode reports it at its path", () => {
      const body = docProcessXml(onePage).replace(
        "<PageNo>2</PageNo>",
        "<PageNo>2</PageNo><X-PageSize>A4</X-PageSize>",
      );
      const lenient = parseCallback(body);
      expect(JSON.stringify(lenient)).to.include('"X-PageSize":"A4"');
      const strict = safeParseCallback(body, { strict: true });
      if (strict.ok) return expect.fail("strict mode accepted an unknown node");
      expect(strict.error.issues.map((issue) => issue.path)).to.deep.equal([
        "/JobsDetail/0/Operation/DocProcessResult/PageInfo/0/X-PageSize",
      ]);
    });
  });

  it("recognises a DocProcess or file job that leaves its Tag out by its Operation's own keys", () => {
    for (const tag of ["DocProcess", "FileCompress", "FileUncompress", "FileHashCode"] as const) {
      const { Tag: _, ...untagged } = job(tag);
      expect(parseJob(jsonBody(untagged)).Tag, tag).to.equal(tag);
    }
  });

  it("cannot tell a Watermark job without a Tag: its Operation keys are all shared with other media jobs", () => {
    const { Tag: _, ...untagged } = inferredJobs.Watermark;
    const result = safeParseCallback(jsonBody(untagged), { strict: true });
    if (result.ok) return expect.fail("a job without a Tag was accepted");
    expect(result.error.issues).to.deep.include({ path: "/JobsDetail/0/Tag", message: "is required but missing" });
  });
});
