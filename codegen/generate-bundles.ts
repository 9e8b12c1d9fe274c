/**
 * generated/schema/: the schema for other services and languages. One self-contained JSON Schema per event
 * (and one for any callback), every definition gathered under `definitions` by its title, in two forms: for
 * validators (below) and for code generators (types/, {@link typesBundle}); and an OpenAPI 3.1
 * document whose `webhooks` describe every event. The `ci-time` format also gets its pattern, so
 * validators that do not know the format still check it. `discriminator` is an OpenAPI keyword: the OpenAPI
 * document keeps it with a mapping; the plain JSON Schemas write each such union as one `if`/`then` per value
 * instead of its `oneOf` (see {@link dispatch}), which means the same for a canonical object (its Tag and
 * EventName always set) and lets any validator report a bad leaf once, not once per variant.
 */
import { posix } from "node:path";
import type { FormatSpec } from "./generate-validators";
import type { Located, SchemaNode, SchemaSet } from "./schema-set";
import { discriminated } from "./schema-views";

type Json = Record<string, unknown>;

/** Bundles `rootFile` and everything it references into one schema with the given `$id`, for validators. */
export function bundle(set: SchemaSet, rootFile: string, id: string, formats: Record<string, FormatSpec>): Json {
  return assemble(set, rootFile, id, formats, true);
}

/**
 * The same bundle for code generators (json-schema-to-typescript, quicktype): each union a `oneOf` of its
 * variants (OpenAPI's `discriminator` beside it) and every `allOf` merged into its object, so that the job
 * union comes out as one type per Tag. It means what {@link bundle}'s does, but a validator reporting all
 * errors would report a bad leaf once per variant from it: validators read {@link bundle}'s. `types` is the
 * schema as `typesView` gives it.
 */
export function typesBundle(types: SchemaSet, rootFile: string, id: string, formats: Record<string, FormatSpec>): Json {
  return assemble(types, rootFile, id, formats, false);
}

function assemble(set: SchemaSet, rootFile: string, id: string, formats: Record<string, FormatSpec>, unions: boolean): Json {
  const definitions = gather(set, rootFile, "#/definitions/", formats, ["tsType"], unions);
  const root = definitions.get(ROOT) as Json;
  definitions.delete(ROOT);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: id,
    ...root,
    definitions: Object.fromEntries(definitions),
  };
}

/** The OpenAPI 3.1 document: every event as a webhook, their schemas as components. */
export function openApi(
  set: SchemaSet,
  events: { name: string; file: string; summary: string; jsonOnly?: boolean }[],
  version: string,
  formats: Record<string, FormatSpec>,
): Json {
  const schemas = new Map<string, unknown>();
  const webhooks: Json = {};
  for (const event of events) {
    const gathered = gather(set, event.file, "#/components/schemas/", formats, ["tsType"], false);
    const root = gathered.get(ROOT) as Json;
    gathered.delete(ROOT);
    gathered.set(root.title as string, root);
    for (const [key, value] of gathered) schemas.set(key, value);
    const body = { schema: { $ref: `#/components/schemas/${String(root.title)}` } };
    webhooks[event.name] = {
      post: {
        summary: event.summary,
        description: event.jsonOnly
          ? "JSON only, with the X-Ci-Content-Version header (Simple or Detail). CI documents no answer or signature; text moderation is retried every 30 minutes for a day."
          : "XML by default; JSON when the job or queue asks for it (CallBackFormat). CI documents no answer, retries or signature.",
        requestBody: {
          required: true,
          content: event.jsonOnly ? { "application/json": body } : { "application/xml": body, "application/json": body },
        },
        responses: { "200": { description: "The callback was received." } },
      },
    };
  }
  for (const [key, schema] of schemas) schemas.set(key, withMapping(schema as Json, schemas));
  return {
    openapi: "3.1.0",
    info: {
      title: "Tencent Cloud CI callbacks",
      version,
      description:
        "The callbacks Tencent Cloud CI (数据万象) POSTs to a user's URL, in the canonical form the ci-callback package gives them (lists as arrays, leaves as text).",
    },
    webhooks,
    components: { schemas: Object.fromEntries([...schemas].sort(([a], [b]) => a.localeCompare(b))) },
  };
}

/** OpenAPI's discriminator names each known value's schema explicitly, so tools need not guess from names. */
function withMapping(schema: Json, schemas: Map<string, unknown>): Json {
  const discriminator = schema.discriminator as { propertyName: string } | undefined;
  if (!discriminator || !Array.isArray(schema.oneOf)) return schema;
  const mapping: Record<string, string> = {};
  for (const member of schema.oneOf as Json[]) {
    const ref = String(member.$ref);
    const variant = schemas.get(ref.split("/").pop() ?? "") as Json | undefined;
    const value = ((variant?.properties as Json | undefined)?.[discriminator.propertyName] as Json | undefined)?.const;
    if (typeof value === "string") mapping[value] = ref;
  }
  return { ...schema, discriminator: { ...discriminator, mapping } };
}

const ROOT = "\0root";

/**
 * A format's pattern in the regular expressions every JSON Schema validator reads: named groups (which the
 * time helper reads, and Python's re refuses) become plain groups.
 */
function portablePattern(pattern: string): string {
  return pattern.replace(/\(\?<([A-Za-z]\w*)>/g, "(?:");
}

/**
 * The root schema (under ROOT) and every schema it references, by title (or definition name for untitled
 * leaves); with `unions`, each discriminated union written as {@link dispatch}.
 */
function gather(
  set: SchemaSet,
  rootFile: string,
  prefix: string,
  formats: Record<string, FormatSpec>,
  dropped: string[],
  unions: boolean,
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const keyOf = new Map<string, string>();
  const pending: { key: string; at: Located }[] = [{ key: ROOT, at: { file: rootFile, pointer: "", node: set.file(rootFile) } }];
  const refer = (from: Located, ref: string): string => {
    const [file, pointer = ""] = ref.split("#");
    const target = file === "" ? from.file : posix.normalize(posix.join(posix.dirname(from.file), file));
    const location = `${target}#${pointer}`;
    let key = keyOf.get(location);
    if (key === undefined) {
      const node = set.resolve({ file: from.file, pointer: from.pointer, node: { $ref: ref } }).node;
      key = node.title ?? pointer.split("/").pop() ?? target;
      if ([...keyOf.values()].includes(key)) throw new Error(`bundle: two schemas would be called ${key}`);
      keyOf.set(location, key);
      pending.push({ key, at: { file: target, pointer, node } });
    }
    return `${prefix}${key}`;
  };
  for (let next = pending.shift(); next; next = pending.shift()) {
    const change = unions ? (node: SchemaNode, at: Located) => dispatch(set, node, at) : (node: SchemaNode) => node;
    out.set(next.key, rewrite(next.at, refer, formats, new Set(["$schema", "$id", "definitions", ...dropped]), change));
  }
  return out;
}

/**
 * A discriminated union as plain JSON Schema that checks only the variant its value names: `allOf` one
 * `if` (the value) / `then` (the variant) per value, and the fallback for any other value or none (else a
 * value outside the known ones is an error). A `oneOf` checks every variant, so a validator reporting all
 * errors gives a bad leaf's once per variant (74 errors for one bad job State); this gives it once, beside
 * the `if` that chose the variant.
 */
function dispatch(set: SchemaSet, node: SchemaNode, at: Located): SchemaNode {
  const union = discriminated(set, node, at);
  if (!union) return node;
  const { oneOf: _, discriminator: __, ...rest } = node;
  const { property } = union;
  const is = (value: SchemaNode): SchemaNode => ({ type: "object", properties: { [property]: value }, required: [property] });
  const known = is({ enum: union.variants.map((v) => v.value) });
  const chosen: SchemaNode[] = union.variants.map(({ value, member }) => ({ if: is({ const: value }), then: member }));
  return { ...rest, allOf: [...chosen, union.fallback ? { if: known, else: union.fallback } : known] };
}

/**
 * A copy of a schema node without the `dropped` keywords, its `$ref`s pointing into the bundle, each node first
 * passed through `change`.
 */
function rewrite(
  at: Located,
  refer: (from: Located, ref: string) => string,
  formats: Record<string, FormatSpec>,
  dropped: Set<string>,
  change: (node: SchemaNode, at: Located) => SchemaNode,
): unknown {
  const copy = (original: unknown, pointer: string): unknown => {
    if (Array.isArray(original)) return original.map((item, i) => copy(item, `${pointer}/${i}`));
    if (typeof original !== "object" || original === null) return original;
    const node = change(original as SchemaNode, { file: at.file, pointer, node: original as SchemaNode });
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) {
      if (dropped.has(key)) continue;
      out[key] = key === "$ref" ? refer({ file: at.file, pointer, node: node as SchemaNode }, value as string) : copy(value, `${pointer}/${key}`);
    }
    const format = typeof out.format === "string" ? formats[out.format] : undefined;
    if (format && out.pattern === undefined) out.pattern = portablePattern(format.pattern);
    return out;
  };
  return copy(at.node, at.pointer);
}

/**
 * A bundle as text: its definitions (and an OpenAPI document's schemas and webhooks) one per line, the rest
 * indented. A third the size of indenting it all, which the package's install size feels, and a diff still
 * names each definition that changed.
 */
export function compactJson(value: Json): string {
  const lines = (object: Json, indent: string, inner: (key: string, value: unknown) => string): string =>
    `{\n${Object.entries(object).map(([key, child]) => `${indent}  ${JSON.stringify(key)}: ${inner(key, child)}`).join(",\n")}\n${indent}}`;
  const grouped = new Set(["definitions", "webhooks", "schemas"]);
  const write = (key: string, child: unknown, indent: string): string => {
    if (grouped.has(key)) return lines(child as Json, indent, (_, entry) => JSON.stringify(entry));
    if (key === "components") return lines(child as Json, indent, (inner, entry) => write(inner, entry, `${indent}  `));
    return JSON.stringify(child);
  };
  return `${lines(value, "", (key, child) => write(key, child, "  "))}\n`;
}
