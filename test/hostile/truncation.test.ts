import { expect } from "chai";
import { CallbackError } from "../../src";
import { parseCallbackWith } from "../../src/canonical/callback";
import { type XmlReader, readXml } from "../../src/read/xml-reader";
import { exampleText } from "../support/examples";
import { xmlReaders } from "../support/xml-readers";

// The seeds are ASCII; the same seeds with Chinese UserData are also cut inside multi-byte characters.
const CHINESE = "这是我的画质增强任务。";
const seeds: [name: string, text: string][] = [
  ["seed-2.xml", exampleText("VideoEnhance/seed-2.xml")],
  ["seed-3.json", exampleText("VideoEnhance/seed-3.json")],
].flatMap(([name, text]) => [
  [name, text],
  [`${name} with Chinese UserData`, text.replace("This is my VideoEnhance job.", CHINESE)],
]) as [string, string][];

/** Every proper byte prefix of `text` that is not just the body with trailing whitespace cut. */
function* truncations(text: string): Generator<[end: number, prefix: Buffer]> {
  const bytes = Buffer.from(text);
  const complete = Buffer.byteLength(text.trimEnd());
  for (let end = 0; end < complete; end++) yield [end, bytes.subarray(0, end)];
}

/** Parses every truncation with `reader`, expecting a parse error that quotes nothing of the body. */
function expectEveryTruncationRejected(text: string, reader: XmlReader): void {
  expect(parseCallbackWith(reader, text).EventName).to.equal("TaskFinish");
  let count = 0;
  for (const [end, prefix] of truncations(text)) {
    let error: unknown;
    try {
      parseCallbackWith(reader, prefix);
    } catch (caught) {
      error = caught;
    }
    if (!(error instanceof CallbackError)) expect.fail(`the first ${end} bytes parsed or threw ${String(error)}`);
    if (error.kind !== "parse") expect.fail(`the first ${end} bytes gave a ${error.kind} error: ${error.message}`);
    for (const quoted of ["j7d0eafdaf86c11ecbdf419856486c0ab", "VideoEnhance job", CHINESE.slice(0, 2)]) {
      if (error.message.includes(quoted)) expect.fail(`the error for ${end} bytes quotes the body: ${error.message}`);
    }
    count++;
  }
  expect(count).to.be.greaterThan(4000);
}

describe("every truncation of the seeds, at every byte offset", () => {
  for (const [name, text] of seeds) {
    if (name.includes(".json")) {
      it(`${name}: a parse error, never a value`, () => expectEveryTruncationRejected(text, readXml));
      continue;
    }
    for (const [readerName, reader] of xmlReaders) {
      it(`${name}, read by ${readerName}: a parse error, never a value`, () => expectEveryTruncationRejected(text, reader));
    }
  }
});
