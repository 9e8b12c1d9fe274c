/**
 * Property tests over callbacks generated from schema/ (any event, any job Tag the schema has): written as
 * XML and as JSON in every style CI uses, each parses back to the object it was written from; and a single
 * leaf changed to a container or to a value its enum does not list gives exactly one issue, at that leaf.
 */
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { CallbackError } from "../../src";
import { parseCallbackWith } from "../../src/canonical/callback";
import { readXml } from "../../src/read/xml-reader";
import { writeJson, writeXml } from "../support/callback-writers";
import { repoRoot } from "../support/examples";
import { type Generated, type Leaf, SchemaArbitraries } from "../support/schema-arbitrary";
import { xmlReaders } from "../support/xml-readers";

const SEED = 20_240_605;
const RUNS = 300;

const schema = new SchemaArbitraries(join(repoRoot, "schema"));
// The media and workflow callbacks come as XML and as JSON; the moderation ones, Detail and Simple, as JSON only.
const roots = [
  { file: "callback.schema.json", jsonOnly: false },
  { file: "moderation/detail.schema.json", jsonOnly: true },
  { file: "moderation/simple.schema.json", jsonOnly: true },
];
const callbacks = fc.oneof(
  ...roots.map(({ file, jsonOnly }) => schema.callback(file).map((generated) => ({ ...generated, jsonOnly }))),
);
const jsonStyles = fc.record({ seed: fc.nat(), wrap: fc.boolean() });

/** Every way of sending `callback`: XML through each reader (unless it is JSON only), JSON in `style`. */
function parsings(
  callback: unknown,
  style: { seed: number; wrap: boolean },
  jsonOnly: boolean,
): [how: string, parse: () => unknown][] {
  const json = writeJson(callback, style);
  const viaJson: [string, () => unknown] = ["JSON", () => parseCallbackWith(readXml, json)];
  if (jsonOnly) return [viaJson];
  const xml = writeXml(callback);
  return [
    ...xmlReaders.map(([name, reader]): [string, () => unknown] => [
      `XML via ${name}`,
      () => parseCallbackWith(reader, xml),
    ]),
    viaJson,
  ];
}

/** What a leaf of the wrong type is told, by the type the schema gives it. */
const wrongTypeMessage: Record<Leaf["type"], string> = {
  text: "must be text",
  integer: "must be a whole number",
  number: "must be a number",
};

/** `value` with the leaf at `path` (a JSON Pointer of plain tokens) replaced. */
function replaced(value: unknown, path: string, leaf: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const tokens = path.split("/").slice(1);
  const last = tokens.pop() as string;
  let container: Record<string, unknown> = copy;
  for (const token of tokens)
    container = container[token.replace(/~1/g, "/").replace(/~0/g, "~")] as Record<string, unknown>;
  container[last.replace(/~1/g, "/").replace(/~0/g, "~")] = leaf;
  return copy;
}

/** A change to one leaf and the one issue it must give. */
interface Mutation {
  leaf: Leaf;
  to: unknown;
  message: string | RegExp;
}

/** The changes possible to a generated callback: any declared leaf that picks no union variant. */
function mutations({ leaves }: Generated): fc.Arbitrary<Mutation> {
  const candidates = leaves.filter((leaf) => leaf.declared && !leaf.discriminator);
  return fc.constantFrom(...candidates).chain((leaf) => {
    const wrongType = fc.constant<Mutation>({ leaf, to: { Mutated: "x" }, message: wrongTypeMessage[leaf.type] });
    if (!leaf.enum) return wrongType;
    const offEnum: fc.Arbitrary<unknown> =
      leaf.type === "text" ? fc.stringMatching(/^[A-Za-z0-9]{1,12}$/) : fc.integer({ min: -1000, max: 1000 });
    const unlisted = offEnum
      .filter((value) => !leaf.enum?.includes(value))
      .map((to): Mutation => ({ leaf, to, message: /^must be one of / }));
    return fc.oneof(wrongType, unlisted);
  });
}

describe("generated from the schema", () => {
  it("the schema has callbacks to generate", () => {
    expect(roots).to.have.length(3);
  });

  it(`callbacks read back from XML (every reader) and JSON (every style) as themselves (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(callbacks, jsonStyles, ({ value, jsonOnly }, style) => {
        for (const [how, parse] of parsings(value, style, jsonOnly)) expect(parse(), how).to.deep.equal(value);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`one leaf of the wrong type or off its enum gives exactly one issue, at that leaf (${RUNS} runs)`, () => {
    const mutated = callbacks
      .filter((generated) => generated.leaves.some((leaf) => leaf.declared && !leaf.discriminator))
      .chain((generated) => fc.tuple(fc.constant(generated), mutations(generated)));
    fc.assert(
      fc.property(mutated, jsonStyles, ([{ value, jsonOnly }, { leaf, to, message }], style) => {
        for (const [how, parse] of parsings(replaced(value, leaf.path, to), style, jsonOnly)) {
          let error: unknown;
          try {
            parse();
          } catch (caught) {
            error = caught;
          }
          if (!(error instanceof CallbackError)) expect.fail(`${how}: no error for ${leaf.path}`);
          expect(error.kind, how).to.equal("validation");
          expect(error.issues, how).to.have.length(1);
          expect(error.issues[0]?.path, how).to.equal(leaf.path);
          if (typeof message === "string") expect(error.issues[0]?.message, how).to.equal(message);
          else expect(error.issues[0]?.message, how).to.match(message);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
