import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { safeParseCallback } from "../../src";
import { oneLine } from "../../src/cli/inspect/one-line";
import { xmlBody } from "../support/bodies";
import { examplesDir } from "../support/examples";

/**
 * What parseCallback makes of a body: the object, or the error's kind and issues (a parse error's message
 * names a line and column, which differ on one line by design).
 */
function reading(body: Uint8Array | string): unknown {
  const result = safeParseCallback(typeof body === "string" ? Buffer.from(body) : body);
  if (result.ok) return result.value;
  const { kind, issues } = result.error;
  return { kind, issues: kind === "parse" ? issues.map((i) => ({ path: i.path, message: i.message.replace(/ at line \d+, column \d+/, "") })) : issues };
}

function expectSameOnOneLine(body: string | Buffer): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const line = oneLine(bytes);
  expect(line.includes(0x0a) || line.includes(0x0d), "a line end is left").to.equal(false);
  expect(reading(line)).to.deep.equal(reading(bytes));
}

describe("inspect: a body on one line for an NDJSON recording", () => {
  const files = readdirSync(examplesDir, { recursive: true, encoding: "utf8" }).filter((f) => /\.(xml|json)$/.test(f));

  it("leaves a body without line ends as it is (the same bytes)", () => {
    const body = Buffer.from('{"EventName":"TaskFinish"}');
    expect(oneLine(body).equals(body)).to.equal(true);
  });

  it("reads every reference example, pretty-printed over many lines, the same on one line", () => {
    expect(files.length).to.be.greaterThan(30);
    let multiline = 0;
    for (const file of files) {
      const body = readFileSync(join(examplesDir, file));
      if (body.includes(0x0a)) multiline++;
      expectSameOnOneLine(body);
      expectSameOnOneLine(Buffer.from(body.toString("utf8").replace(/\n/g, "\r\n")));
    }
    expect(multiline).to.be.greaterThan(30);
  });

  it("keeps line ends in XML text, CDATA and attributes meaning what they meant", () => {
    const job = (inner: string) => xmlBody(`<Message>${inner}</Message>`);
    for (const inner of ["two\nlines", "two\r\nlines", "cr\ronly", "<![CDATA[in\ncdata]]>", "<![CDATA[a\r\nb]]>", "a<!-- a\ncomment -->b", "\n"]) {
      expectSameOnOneLine(job(inner));
    }
    expectSameOnOneLine(`<?xml version="1.0"\nencoding="UTF-8"?>\n<Response\nx="a\nb">${xmlBody().replace(/^[\s\S]*?<Response>/, "")}\n`);
    const withNewline = safeParseCallback(oneLine(Buffer.from(job("two\nlines"))));
    const read = withNewline.ok ? (withNewline.value as { JobsDetail?: { Message?: string }[] }).JobsDetail?.[0] : undefined;
    expect(read?.Message).to.equal("two\nlines");
  });

  it("keeps a JSON body invalid where a raw line end inside a string made it so, and valid otherwise", () => {
    const valid = '{\n  "EventName": "TaskFinish",\r\n  "JobsDetail": []\n}';
    expectSameOnOneLine(valid);
    const broken = '{"EventName": "Task\nFinish", "s": "a\\\\"}';
    expect(safeParseCallback(oneLine(Buffer.from(broken))).ok).to.equal(false);
    expect((reading(oneLine(Buffer.from(broken))) as { kind: string }).kind).to.equal((reading(broken) as { kind: string }).kind);
    // An escaped quote does not end the string; the line end after it is outside none.
    expectSameOnOneLine('{"EventName":"TaskFinish","JobsDetail":[{"Message":"say \\"hi\\"",\n"Tag":"Transcode"}]}');
  });
});
