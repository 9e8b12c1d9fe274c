/**
 * Byte-level fuzzing of the reference callbacks: fast-check picks an example and a few mutations (bit flips,
 * random bytes, cuts, repeats, splices from another example, tokens that matter to XML and JSON readers, and
 * text a leaf may hold), so every failure comes with a seed and a path that reproduce it; one body in twenty is
 * instead a JSON flood of list items. The check: each body parses or
 * gives a CallbackError, with either XML reader, and the two readers agree on every body.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { CallbackError } from "../../src";
import { parseCallbackWith } from "../../src/canonical/callback";
import { examplesDir } from "../support/examples";
import { xmlReaders } from "../support/xml-readers";

/** Every reference example, as bytes. */
export const examples: Buffer[] = readdirSync(examplesDir, { recursive: true, encoding: "utf8" })
  .filter((name) => /\.(xml|json)$/.test(name))
  .sort()
  .map((name) => readFileSync(join(examplesDir, name)));

// Bytes that mean something to one of the readers.
const TOKENS = [
  ...["<", ">", "</", "/>", "=", "'", '"', "&", ";", "&amp;", "&nbsp;", "&#0;", "&#x110000;", "&#65;", "&e;"],
  ...["<!--", "-->", "<![CDATA[", "]]>", '<?xml version="1.0"?>', "<?pi x?>", '<!DOCTYPE R [<!ENTITY e "x">]>'],
  ...["<__proto__>", "</__proto__>", "<constructor>", ' a="1"', ' xmlns="urn:x"', "<x:y>", "<Response>", "</Response>"],
  ...["{", "}", "[", "]", ",", ":", "null", "0", "-", "1e400", "12345678901234567890", '"__proto__":', '"\\u0000"'],
  ...['"\\ud800"', "\\", "\0", "\u0001", "\r", "\t", "\ufeff", "\uffff", "画"],
].map((token) => Buffer.from(token));
// Text a leaf may hold: inserted just after a '>', so that many mutated bodies stay valid.
const TEXT = ["&amp;", "&#65;", "&#x4e2d;", "\r\n", "\r", " ", "画质", "<![CDATA[<x>]]>", "<!-- c -->", "]]&gt;"].map(
  (text) => Buffer.from(text),
);
const RAW_BYTES = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf], [0xc0, 0xaf]].map((bytes) =>
  Buffer.from(bytes),
);

/** One change to a body; positions are taken modulo its length. */
export type Mutation = (body: Buffer) => Buffer;

const at = (body: Buffer, position: number) => (body.length === 0 ? 0 : position % (body.length + 1));
const insert = (body: Buffer, position: number, bytes: Buffer) =>
  Buffer.concat([body.subarray(0, at(body, position)), bytes, body.subarray(at(body, position))]);

/** One mutation of the kinds above, for any body. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([position, bit]): Mutation => (body) => {
    const copy = Buffer.from(body);
    if (copy.length > 0) copy[position % copy.length] ^= 1 << bit;
    return copy;
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(
    ([position, bytes]): Mutation =>
      (body) =>
        insert(body, position, Buffer.from(bytes)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 })).map(
    ([position, length]): Mutation =>
      (body) =>
        Buffer.concat([body.subarray(0, at(body, position)), body.subarray(at(body, position) + length)]),
  ),
  fc.nat().map(
    (position): Mutation =>
      (body) =>
        body.subarray(0, at(body, position)),
  ),
  fc
    .tuple(fc.nat(), fc.integer({ min: 1, max: 48 }), fc.integer({ min: 2, max: 2000 }))
    .map(([position, length, times]): Mutation => (body) => {
      const start = at(body, position);
      return insert(
        body,
        start,
        Buffer.from(
          body
            .subarray(start, start + length)
            .toString("latin1")
            .repeat(times),
          "latin1",
        ),
      );
    }),
  fc.tuple(fc.nat(), fc.constantFrom(...TOKENS, ...RAW_BYTES)).map(
    ([position, token]): Mutation =>
      (body) =>
        insert(body, position, token),
  ),
  {
    // Weighted up: most other mutations break the body, this one usually keeps it valid.
    weight: 6,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...TEXT)).map(([position, text]): Mutation => (body) => {
      const close = body.indexOf(">", at(body, position));
      return close < 0 ? body : insert(body, close + 1, text);
    }),
  },
  fc
    .tuple(fc.nat(), fc.nat(examples.length - 1), fc.nat(), fc.integer({ min: 1, max: 200 }))
    .map(([position, other, from, length]): Mutation => (body) => {
      const source = examples[other] as Buffer;
      const start = at(source, from);
      return insert(body, position, source.subarray(start, start + length));
    }),
);

/** A reference example with one to five mutations applied. */
export const mutatedExample: fc.Arbitrary<Buffer> = fc
  .tuple(fc.nat(examples.length - 1), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([index, mutations]) => mutations.reduce((body, mutate) => mutate(body), examples[index] as Buffer));

// List items of many kinds: jobs valid and not, and values that are no job at all.
const ITEMS = [
  "1",
  "null",
  '""',
  "{}",
  "[]",
  '"x"',
  '{"Message":"m"}',
  '{"JobId":"j","Tag":"Transcode","State":"Done","Operation":{}}',
  '{"JobId":"j","Tag":"Transcode","State":"Success","Operation":{"MediaResult":{"OutputFile":{"ObjectName":[1,{},"a"]}}}}',
  '{"JobId":"j","Tag":"NoSuchTag","State":"Success","Extra":{"a":[1,2,3]}}',
];

/**
 * A JSON TaskFinish body whose JobsDetail holds up to 20,000 items drawn from a few kinds: a flood of failing
 * items, which the run's time check catches when validation is not linear in them.
 */
export const manyListItems: fc.Arbitrary<Buffer> = fc
  .tuple(fc.array(fc.constantFrom(...ITEMS), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 20_000 }))
  .map(([kinds, count]) => {
    const items = Array.from({ length: count }, (_, i) => kinds[i % kinds.length]);
    return Buffer.from(`{"EventName":"TaskFinish","JobsDetail":[${items.join(",")}]}`);
  });

/** What the fuzzer feeds the package: mostly mutated reference callbacks, and floods of list items. */
export const fuzzBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 19, arbitrary: mutatedExample },
  { weight: 1, arbitrary: manyListItems },
);

/** What one reader made of a body: the canonical object, or the kind of its CallbackError. */
type Outcome = { ok: true; value: unknown } | { ok: false; kind: string };

/**
 * The xml-js reader is compared on bodies up to this size only: on malformed input sax reports an error at
 * nearly every following character, and xml-js lets it (an 80 KB body takes 20 s; docs/decisions/0001).
 */
export const XML_JS_LIMIT = 8 * 1024;

/**
 * Parses `body` with each XML reader (xml-js up to {@link XML_JS_LIMIT}): anything but a value or a
 * CallbackError fails, and so does a body one reader accepts and the other refuses, or both accept as
 * different objects. Returns whether the body was a valid callback.
 */
export function checkBody(body: Buffer): boolean {
  const readers = xmlReaders.filter(([name]) => name !== "xml-js" || body.length <= XML_JS_LIMIT);
  const outcomes = readers.map(([name, reader]): [string, Outcome] => {
    try {
      return [name, { ok: true, value: parseCallbackWith(reader, body) }];
    } catch (error) {
      if (error instanceof CallbackError) return [name, { ok: false, kind: error.kind }];
      throw new Error(`${name} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  });
  const [[firstName, first], ...others] = outcomes as [[string, Outcome], ...[string, Outcome][]];
  for (const [name, outcome] of others) {
    expect(outcome.ok, `${firstName} and ${name} disagree on whether the body is valid`).to.equal(first.ok);
    if (outcome.ok && first.ok)
      expect(outcome.value, `${firstName} and ${name} read it differently`).to.deep.equal(first.value);
  }
  return first.ok;
}
