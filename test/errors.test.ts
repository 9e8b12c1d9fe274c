import { expect } from "chai";
import { CallbackError, type CallbackIssue, type ParseOptions, safeParseCallback } from "../src";
import { jsonBody, xmlBody } from "./support/bodies";
import { exampleText } from "./support/examples";
import { parseVideoEnhanceJob } from "./support/task-finish";

/** The CallbackError a body gives; fails the test when it parses. */
function failure(body: string | Uint8Array, options?: ParseOptions): CallbackError {
  const result = safeParseCallback(body, options);
  if (result.ok) expect.fail("the body parsed, but it should not have");
  return result.error;
}

const issue = (error: CallbackError, path: string): CallbackIssue | undefined => error.issues.find((i) => i.path === path);

describe("errors", () => {
  it("name a wrong type with its path, from XML and from JSON", () => {
    for (const error of [
      failure(xmlBody("<Progress><Value>1</Value></Progress>")),
      failure(jsonBody({ Progress: { Value: "1" } })),
    ]) {
      expect(error.kind).to.equal("validation");
      expect(issue(error, "/JobsDetail/0/Progress")?.message).to.equal("must be text");
    }
    const container = failure(jsonBody({ Input: "in.mp4" }));
    expect(issue(container, "/JobsDetail/0/Input")?.message).to.equal("must be a container");
  });

  it("name a missing JobsDetail", () => {
    const error = failure("<Response><EventName>TaskFinish</EventName></Response>");
    expect(error.kind).to.equal("validation");
    expect(error.issues).to.deep.equal([{ path: "/JobsDetail", message: "is required but missing" }]);
  });

  it("name an unknown State and list the allowed ones", () => {
    const error = failure(xmlBody().replace("<State>Success</State>", "<State>Done</State>"));
    expect(error.issues).to.deep.equal([
      { path: "/JobsDetail/0/State", message: "must be one of Submitted, Running, Success, Failed, Pause, Cancel" },
    ]);
  });

  it("name a malformed time and a malformed number deep in a list", () => {
    const error = failure(
      xmlBody(
        "<CreationTime>30/06/2022</CreationTime>",
        "<MediaInfo><Stream><Video><Width>544</Width></Video><Video><Width>wide</Width></Video></Stream></MediaInfo>",
      ),
    );
    expect(error.issues.map((i) => i.path)).to.deep.equal([
      "/JobsDetail/0/CreationTime",
      "/JobsDetail/0/Operation/MediaInfo/Stream/Video/1/Width",
    ]);
  });

  it("report every problem at once", () => {
    const error = failure(jsonBody({ State: "Done", JobId: undefined, Progress: "-" }));
    expect(error.issues.map((i) => i.path).sort()).to.deep.equal([
      "/JobsDetail/0/JobId",
      "/JobsDetail/0/Progress",
      "/JobsDetail/0/State",
    ]);
  });

  it("reject a root element other than Response", () => {
    const error = failure("<Request><EventName>TaskFinish</EventName></Request>");
    expect(error.kind).to.equal("validation");
  });

  describe("reading", () => {
    it("give line and column of malformed JSON, as for Translation's trailing comma", () => {
      const error = failure(exampleText("Translation/intl-29293011-2.json"));
      expect(error.kind).to.equal("parse");
      expect(error.issues[0].message).to.match(/^JSON is not well-formed at line \d+, column \d+: /);
    });

    it("give line and column of malformed XML", () => {
      const error = failure("<Response>\n  <EventName>TaskFinish</Event>\n</Response>");
      expect(error.kind).to.equal("parse");
      expect(error.issues[0].message).to.match(/line 2, column \d+/);
    });

    it("never echo the body", () => {
      const secret = "s3cr3t-token-value";
      const bodies = [
        `{"JobsDetail": [{"JobId": "${secret}",}]}`,
        `<Response><JobId>${secret}</Jobid></Response>`,
        `<Response><${secret}>1</${secret}><JobsDetail/></Response>`,
        jsonBody({ State: secret }),
        `${secret}`,
      ];
      for (const body of bodies) {
        const error = failure(body);
        expect(error.message, body).not.to.include(secret);
        expect(JSON.stringify(error.issues), body).not.to.include(secret);
      }
    });

    it("reject a truncated JSON body at every offset", () => {
      const text = exampleText("VideoEnhance/seed-3.json").trimEnd();
      for (let end = 0; end < text.length; end++) {
        const result = safeParseCallback(text.slice(0, end));
        if (result.ok) expect.fail(`the first ${end} characters parsed`);
        expect(result.error.kind).to.equal("parse");
      }
    });

    it("reject empty bodies and bodies that are neither XML nor JSON", () => {
      for (const body of ["", "  \n", "hello", "TaskFinish"]) expect(failure(body).kind, body).to.equal("parse");
    });

    it("reject invalid UTF-8 and lone surrogates", () => {
      const bytes = Buffer.from(xmlBody("<Message>ok</Message>"));
      bytes[bytes.indexOf("ok")] = 0xff;
      expect(failure(bytes).kind).to.equal("parse");
      expect(failure(xmlBody("<Message>\uD800</Message>")).kind).to.equal("parse");
    });
  });

  describe("limits", () => {
    it("reject a body over the size limit, default 1 MiB or as configured", () => {
      const big = xmlBody(`<UserData>${"x".repeat(1024 * 1024)}</UserData>`);
      expect(failure(big).kind).to.equal("limit");
      expect(failure(Buffer.from(big)).kind).to.equal("limit");
      expect(failure(xmlBody(), { maxBytes: 100 }).kind).to.equal("limit");
      expect(parseVideoEnhanceJob(big, { maxBytes: 2 * 1024 * 1024 }).JobId).to.equal("j1");
    });

    it("reject unknown nodes nested past the depth limit, also from JSON", () => {
      const levels = 100_000;
      const deep = jsonBody({ Unknown: "x" }).replace('"x"', `${'{"Deeper":'.repeat(levels)}"x"${"}".repeat(levels)}`);
      expect(failure(deep).kind).to.equal("limit");
      expect(failure(deep, { maxDepth: 200 }).kind).to.equal("limit");
      const shallow = jsonBody({ Unknown: "x" }).replace('"x"', `${'{"Deeper":'.repeat(10)}"x"${"}".repeat(10)}`);
      expect(failure(shallow, { maxDepth: 8 }).kind).to.equal("limit");
      expect(parseVideoEnhanceJob(shallow)).to.have.property("Unknown");
    });
  });

  describe("hostile names", () => {
    it("reject __proto__, constructor and prototype as JSON keys and leave Object.prototype alone", () => {
      const bodies = [
        '{"EventName":"TaskFinish","__proto__":{"polluted":"yes"},"JobsDetail":[]}',
        jsonBody({ constructor: { prototype: { polluted: "yes" } } }),
        jsonBody({ Nested: { Inner: "x" } }).replace('"Inner":"x"', '"__proto__":{"polluted":"yes"}'),
      ];
      for (const body of bodies) {
        expect(failure(body).kind, body).to.equal("parse");
      }
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});

describe("a body of the wrong JS type", () => {
  it("is a parse error, not a crash", () => {
    for (const body of [undefined, null, 42, { EventName: "TaskFinish" }]) {
      expect(failure(body as unknown as string).kind).to.equal("parse");
    }
  });
});
