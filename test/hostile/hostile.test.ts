import { expect } from "chai";
import { CallbackError, parseCallback } from "../../src";
import { parseCallbackWith } from "../../src/canonical/callback";
import { type XmlReader, readXml } from "../../src/read/xml-reader";
import { xmlReaders } from "../support/xml-readers";
import { MARKER, json, xml } from "./bodies";
import { type HostileCase, jsonCases, xmlCases } from "./cases";

/** Object.prototype's own properties and what each holds, to compare after a case. */
function prototypeState(): string[] {
  return Reflect.ownKeys(Object.prototype).map((key) => {
    const { value, get, set, writable, enumerable, configurable } =
      Object.getOwnPropertyDescriptor(Object.prototype, key) ?? {};
    return [
      String(key),
      typeof value,
      value === undefined ? "" : String(value).length,
      get,
      set,
      writable,
      enumerable,
      configurable,
    ]
      .map(String)
      .join(" ");
  });
}
const pristine = prototypeState();

/** Runs one case through `reader`'s pipeline and checks the error against it. */
function expectRejection(testCase: HostileCase, reader: XmlReader, readerName: string): void {
  const body = typeof testCase.body === "function" ? testCase.body() : testCase.body;
  let error: unknown;
  try {
    parseCallbackWith(reader, body, testCase.options);
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof CallbackError))
    expect.fail(`expected a CallbackError, got ${error === undefined ? "a value" : String(error)}`);
  // The strict reader stops where saxes does.
  const kind =
    typeof testCase.kind === "string" ? testCase.kind : testCase.kind[readerName === "xml-js" ? "xml-js" : "saxes"];
  expect(error.kind, error.message.slice(0, 300)).to.equal(kind);
  expect(error.issues).to.not.be.empty;
  const [first] = error.issues;
  if (testCase.issue?.path !== undefined)
    expect(first?.path, error.message.slice(0, 300)).to.equal(testCase.issue.path);
  const message = testCase.issue?.message;
  if (typeof message === "string") expect(first?.message).to.equal(message);
  else if (message) expect(first?.message).to.match(message);

  // Nothing of the body comes back, however big the body: the error is safe to log.
  expect(error.message).to.not.include(MARKER);
  expect(JSON.stringify(error.issues)).to.not.include(MARKER);
  expect(error.message.length).to.be.below(2048);
  expect(prototypeState()).to.deep.equal(pristine);
  expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
}

describe("hostile bodies", () => {
  it("are built on callbacks that are valid, even in strict mode", () => {
    for (const [, reader] of xmlReaders)
      expect(parseCallbackWith(reader, xml(), { strict: true })).to.have.property("EventName");
    expect(parseCallback(json(), { strict: true })).to.deep.equal(parseCallback(xml()));
  });

  for (const [readerName, reader] of xmlReaders) {
    describe(`XML, read by ${readerName}`, () => {
      for (const testCase of xmlCases) it(testCase.name, () => expectRejection(testCase, reader, readerName));
    });
  }

  describe("JSON", () => {
    for (const testCase of jsonCases) it(testCase.name, () => expectRejection(testCase, readXml, "strict"));
  });
});
