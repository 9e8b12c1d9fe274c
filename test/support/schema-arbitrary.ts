/**
 * Valid canonical callbacks generated from schema/, for the property tests. A small walker of its own (not
 * codegen's reading of the schema, which it would then only agree with): it knows the keywords schema/
 * uses and throws on any other, so a keyword added later cannot be skipped silently. Every generated
 * object comes with its leaves: where each is and what the schema says of it, for the mutation tests.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { isMap } from "../../codegen/schema-set";
import fc from "fast-check";

/** A JSON Schema node, as far as this walker reads it. */
interface SchemaNode {
  $ref?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  not?: SchemaNode;
  pattern?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  discriminator?: { propertyName: string };
}

const KNOWN_KEYWORDS = new Set([
  ...["$ref", "type", "const", "enum", "not", "pattern", "format", "properties", "required", "additionalProperties"],
  ...["items", "minItems", "allOf", "oneOf", "anyOf", "discriminator"],
  // Annotations, which generation does not need.
  ...["$schema", "$id", "$comment", "title", "description", "examples", "definitions", "tsType", "default"],
]);

/** A leaf of a generated callback: text, or a JSON number (moderation). */
export interface Leaf {
  /** JSON Pointer into the canonical object. */
  path: string;
  /** What the schema makes it. */
  type: "text" | "integer" | "number";
  /** The values the schema allows, when it lists them. */
  enum?: unknown[];
  /** Whether the leaf picks a union's variant (Tag, EventName): changing it changes what is valid around it. */
  discriminator: boolean;
  /** Whether the schema declares the leaf (children of open containers are not declared). */
  declared: boolean;
}

/** A generated value with its leaves (paths relative to the value). */
export interface Generated {
  value: unknown;
  leaves: Leaf[];
}

/** Where a schema node is: its file (relative to schema/) and the node. */
interface Located {
  file: string;
  pointer: string;
  node: SchemaNode;
}

/** Shapes the size of generated objects. */
export interface GenerationLimits {
  /** Below this depth, objects get only their required properties (bounds size, and any recursion). */
  maxDepth: number;
  /** At most this many items in a list. */
  maxItems: number;
}

/** Text a callback leaf may hold: XML characters (tab, LF, CR included), ASCII-heavy, with some CJK and astral ones. */
export const leafText: fc.Arbitrary<string> = fc
  .string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(..."abcXYZ019 -_.:/&<>\"'=;") },
      { weight: 2, arbitrary: fc.constantFrom("\t", "\n", "\r", "é", "画", "质", "😀", "\u00a0", "\ufeff", "]]>") },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    ),
    minLength: 1,
    maxLength: 12,
  })
  // Not in XML 1.0 (and so in no callback); "&amp;" because xml-js's writer unescapes it before escaping.
  .filter((text) => !/[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.test(text) && !text.includes("&amp;"));

/** The schema files of one folder, and arbitraries of the callbacks they describe. */
export class SchemaArbitraries {
  private readonly files = new Map<string, SchemaNode>();
  private readonly formats: Record<string, { pattern: string }>;

  constructor(
    readonly dir: string,
    private readonly limits: GenerationLimits = { maxDepth: 8, maxItems: 3 },
  ) {
    for (const name of listFiles(dir)) {
      if (name.endsWith(".schema.json"))
        this.files.set(name, JSON.parse(readFileSync(join(dir, name), "utf8")) as SchemaNode);
    }
    this.formats = JSON.parse(readFileSync(join(dir, "formats.json"), "utf8")) as Record<string, { pattern: string }>;
  }

  /** Valid canonical values of the schema in `file` (such as `callback.schema.json`), with their leaves. */
  callback(file: string): fc.Arbitrary<Generated> {
    return this.of({ file, pointer: "", node: this.file(file) }, 0, false);
  }

  /** Arbitraries built so far, by node, depth and role: each schema node's is built once per depth. */
  private readonly built = new Map<string, fc.Arbitrary<Generated>>();

  private of(at: Located, depth: number, discriminator: boolean): fc.Arbitrary<Generated> {
    const resolved = this.resolve(at);
    const key = `${resolved.file}#${resolved.pointer} ${depth} ${discriminator}`;
    let arbitrary = this.built.get(key);
    if (!arbitrary) this.built.set(key, (arbitrary = this.build(resolved, depth, discriminator)));
    return arbitrary;
  }

  private build({ node, file, pointer }: Located, depth: number, discriminator: boolean): fc.Arbitrary<Generated> {
    if (node.oneOf) return this.union({ file, pointer, node }, depth);
    if (isMap(node)) {
      // Header names and text; the keys are free, so no leaf of a map is declared.
      return fc
        .dictionary(fc.stringMatching(/^x-cos-meta-[a-z0-9]{1,8}$/), leafText, { minKeys: 1, maxKeys: 3 })
        .map((value) => ({
          value,
          leaves: Object.keys(value).map((key) => ({
            path: `/${key}`,
            type: "text" as const,
            discriminator: false,
            declared: false,
          })),
        }));
    }
    if (node.type === "object" || node.allOf) return this.object({ file, pointer, node }, depth);
    if (node.type === "array") {
      if (!node.items) throw new Error(`${file}#${pointer}: an array without items`);
      const item = this.of({ file, pointer: `${pointer}/items`, node: node.items }, depth + 1, false);
      const minLength = Math.max(1, node.minItems ?? 0);
      return fc.array(item, { minLength, maxLength: Math.max(minLength, this.limits.maxItems) }).map((items) => ({
        value: items.map((i) => i.value),
        leaves: items.flatMap((item, index) => prefixed(`/${index}`, item.leaves)),
      }));
    }
    if (node.type === "integer" || node.type === "number") {
      const type = node.type;
      return this.number({ file, pointer, node }).map((value) => ({
        value,
        leaves: [{ path: "", type, enum: node.enum, discriminator, declared: true }],
      }));
    }
    return this.text({ file, pointer, node }).map((value) => ({
      value,
      leaves: [{ path: "", type: "text" as const, enum: node.enum?.map(String), discriminator, declared: true }],
    }));
  }

  /** A JSON number leaf: from its enum, else an integer, else a decimal JSON writes without an exponent. */
  private number({ node }: Located): fc.Arbitrary<number> {
    if (node.enum) return fc.constantFrom(...(node.enum as number[]));
    if (node.type === "integer") return fc.integer({ min: -1_000_000, max: 1_000_000_000 });
    return fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100);
  }

  private text({ file, pointer, node }: Located): fc.Arbitrary<string> {
    if (node.type !== undefined && node.type !== "string")
      throw new Error(`${file}#${pointer}: type ${node.type} is not text`);
    if (typeof node.const === "string") return fc.constant(node.const);
    if (node.enum) return fc.constantFrom(...node.enum.map(String));
    if (node.format !== undefined) {
      const format = this.formats[node.format];
      if (!format) throw new Error(`${file}#${pointer}: no format ${node.format} in formats.json`);
      return fc.stringMatching(new RegExp(format.pattern));
    }
    if (node.pattern !== undefined) return fc.stringMatching(new RegExp(node.pattern));
    const excluded = node.not?.enum?.map(String);
    if (node.not && (!excluded || Object.keys(node.not).length > 1))
      throw new Error(`${file}#${pointer}: only "not: {enum}" is known`);
    if (excluded) return fc.stringMatching(/^[A-Z][A-Za-z]{2,15}$/).filter((name) => !excluded.includes(name));
    return leafText;
  }

  /** An object; `discriminator` names the property that picks its union variant (always generated). */
  private object(at: Located, depth: number, discriminator?: string): fc.Arbitrary<Generated> {
    const { properties, required, open, alternatives } = this.members(at);
    // A property the schema forbids (`not: {}`, a Simple body's EventName) is never generated.
    const declared = Object.keys(properties).filter(
      (key) => !isForbidden(this.resolve(properties[key] as Located).node),
    );
    const mandatory = declared.filter((key) => required.includes(key) || key === discriminator);
    let optional = declared.filter((key) => !mandatory.includes(key));
    // Past the depth limit only what must be there, and one leaf if nothing must (or one child, leading to one).
    if (depth >= this.limits.maxDepth) {
      const leaf = optional.find((key) => !this.isComposite(properties[key] as Located));
      optional = mandatory.length > 0 ? [] : [leaf ?? optional[0]].filter((key) => key !== undefined);
    }
    const child = (key: string) => this.of(properties[key] as Located, depth + 1, key === discriminator);
    // An `anyOf` of `required`s (an unknown event's JobsDetail or WorkflowExecution): one alternative is made mandatory.
    if (alternatives.length > 0) {
      return fc.constantFrom(...alternatives).chain((keys) => {
        const chosen = mandatory.concat(keys.filter((key) => !mandatory.includes(key)));
        return this.objectWith(chosen, optional.filter((key) => !keys.includes(key)), open, declared, child);
      });
    }
    return this.objectWith(mandatory, optional, open, declared, child);
  }

  /** An object of the `mandatory` children, some of the `optional` ones, and extra text children if it is open and declares none. */
  private objectWith(
    mandatory: string[],
    optional: string[],
    open: boolean,
    declared: string[],
    child: (key: string) => fc.Arbitrary<Generated>,
  ): fc.Arbitrary<Generated> {
    // An open container without declared children (an unknown job's Operation) holds what CI sent: text here.
    const extras =
      open && declared.length === 0
        ? fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,10}$/), leafText), {
            minLength: 1,
            maxLength: 3,
            selector: ([key]) => key,
          })
        : fc.constant([] as [string, string][]);
    // A container is never empty in a canonical object: with no required child, at least one optional one.
    const minLength = mandatory.length === 0 && optional.length > 0 ? 1 : 0;
    return fc.tuple(fc.subarray(optional, { minLength }), extras).chain(([chosen, extra]) =>
      fc
        .tuple(...[...mandatory, ...chosen].map((key) => child(key).map((generated) => [key, generated] as const)))
        .map((entries): Generated => ({
          value: Object.fromEntries([...entries.map(([key, generated]) => [key, generated.value]), ...extra]),
          leaves: [
            ...entries.flatMap(([key, generated]) => prefixed(`/${pointerToken(key)}`, generated.leaves)),
            ...extra.map(([key]) => ({
              path: `/${pointerToken(key)}`,
              type: "text" as const,
              discriminator: false,
              declared: false,
            })),
          ],
        })),
    );
  }

  /** A oneOf by discriminator: one of its variants, with the discriminator (what tells them apart) always present. */
  private union({ file, pointer, node }: Located, depth: number): fc.Arbitrary<Generated> {
    const property = node.discriminator?.propertyName;
    if (!property) throw new Error(`${file}#${pointer}: a oneOf without a discriminator`);
    const variants = (node.oneOf ?? []).map((variant, index) =>
      this.object({ file, pointer: `${pointer}/oneOf/${index}`, node: variant }, depth, property),
    );
    return fc.oneof(...variants);
  }

  /** Whether a node is a container, a union or a list (anything but a text leaf). */
  private isComposite(at: Located): boolean {
    const { node } = this.resolve(at);
    return node.type === "object" || node.type === "array" || node.oneOf !== undefined || node.allOf !== undefined;
  }

  /** The properties and required names of an object schema, its `allOf` members' merged in (its own win). */
  private members(at: Located): { properties: Record<string, Located>; required: string[]; open: boolean; alternatives: string[][] } {
    const { file, pointer, node } = this.resolve(at);
    const properties: Record<string, Located> = {};
    const required: string[] = [];
    let open = node.additionalProperties === true;
    for (const [index, member] of (node.allOf ?? []).entries()) {
      const merged = this.members({ file, pointer: `${pointer}/allOf/${index}`, node: member });
      Object.assign(properties, merged.properties);
      required.push(...merged.required);
      open ||= merged.open;
    }
    for (const [key, property] of Object.entries(node.properties ?? {})) {
      properties[key] = { file, pointer: `${pointer}/properties/${pointerToken(key)}`, node: property };
    }
    required.push(...(node.required ?? []));
    const alternatives = (node.anyOf ?? []).map((member) => {
      if (!member.required || Object.keys(member).some((k) => k !== "required" && k !== "properties")) {
        throw new Error(`${file}#${pointer}: only an anyOf of "required" alternatives is known`);
      }
      return member.required;
    });
    return { properties, required, open, alternatives };
  }

  /** Follows `$ref`s (relative to the file they are in) to a node with content. */
  private resolve(at: Located): Located {
    let current = at;
    for (let hops = 0; current.node.$ref !== undefined; hops++) {
      if (hops > 16) throw new Error(`${at.file}#${at.pointer}: $ref chain too long`);
      const [target = "", pointer = ""] = current.node.$ref.split("#");
      const file = target === "" ? current.file : posix.normalize(posix.join(posix.dirname(current.file), target));
      let node: unknown = this.file(file);
      for (const token of pointer.split("/").slice(1)) {
        node = (node as Record<string, unknown>)[token.replace(/~1/g, "/").replace(/~0/g, "~")];
        if (node === undefined) throw new Error(`${current.file}: unresolved $ref ${current.node.$ref}`);
      }
      current = { file, pointer, node: node as SchemaNode };
    }
    for (const keyword of Object.keys(current.node)) {
      if (!KNOWN_KEYWORDS.has(keyword)) {
        throw new Error(`${current.file}#${current.pointer}: schema-arbitrary does not know "${keyword}"`);
      }
    }
    return current;
  }

  private file(name: string): SchemaNode {
    const node = this.files.get(name);
    if (!node) throw new Error(`no schema file ${name} in ${this.dir}`);
    return node;
  }
}

function prefixed(prefix: string, leaves: Leaf[]): Leaf[] {
  return leaves.map((leaf) => ({ ...leaf, path: prefix + leaf.path }));
}

function pointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Every file below `dir`, as posix paths relative to it. */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path).split("\\").join("/")];
  });
}

/** A node no value passes: `not: {}`. */
function isForbidden(node: SchemaNode): boolean {
  return node.not !== undefined && Object.keys(node.not).length === 0;
}
