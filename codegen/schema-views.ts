/**
 * The schema as each tool wants to read it. The files in schema/ are written for people and for other
 * languages (allOf for the job envelope, oneOf + discriminator for unions); json-schema-to-typescript
 * names types best from flat objects, and ajv reports precise errors fastest from if/then dispatch.
 * Both views mean the same as the source.
 */
import { posix } from "node:path";
import type { Located, SchemaNode, SchemaSet } from "./schema-set";

type Files = Map<string, SchemaNode>;

/** For json-schema-to-typescript: every `allOf` merged into its object, so a job type is one flat interface. */
export function typesView(set: SchemaSet): Files {
  return mapFiles(set, (node, at) => {
    // A description beside a $ref to a named container would make json-schema-to-typescript declare the
    // container again under a numbered name (MediaInfo1); the container's own description documents it.
    if (node.$ref !== undefined && Object.keys(node).length > 1 && set.resolve(at).node.title) return { $ref: node.$ref };
    if (!node.allOf) return node;
    const merged = set.object(at);
    const properties: Record<string, SchemaNode> = {};
    for (const [key, property] of Object.entries(merged.properties)) {
      properties[key] = property.file === at.file ? property.node : rebase(property.node, property.file, at.file);
    }
    const { allOf: _, ...rest } = node;
    return { ...rest, properties, required: merged.required };
  });
}

/**
 * For ajv: a `oneOf` with a `discriminator` becomes one `if`/`then` per value (and the fallback, or an enum of
 * the known values), so only the variant the value names is checked and reported on. Every titled definition
 * also becomes a schema of its own, so ajv compiles a shared container (the job envelope, MediaInfo) once
 * rather than once per file that refers to it.
 */
export function validationView(set: SchemaSet): Files {
  return hoistDefinitions(dispatchUnions(set));
}

/** A `oneOf` with a `discriminator`, read: the property, each variant's value and member, and the fallback member. */
export interface Discriminated {
  property: string;
  variants: { value: string; member: SchemaNode }[];
  /** The member whose discriminator is no const (UnknownJob: "not enum" of the others), if any. */
  fallback?: SchemaNode;
}

/** The union `node` (at `at`) is, or undefined when it is no `oneOf` with a `discriminator`. */
export function discriminated(set: SchemaSet, node: SchemaNode, at: Located): Discriminated | undefined {
  const property = node.discriminator?.propertyName;
  if (!node.oneOf || !property) return undefined;
  const union: Discriminated = { property, variants: [] };
  for (const [index, member] of node.oneOf.entries()) {
    const variant = set.resolve({ file: at.file, pointer: `${at.pointer}/oneOf/${index}`, node: member });
    const discriminator = set.object(variant).properties[property];
    const leaf = discriminator && set.resolve(discriminator).node;
    const value = leaf?.const ?? (leaf?.enum?.length === 1 ? leaf.enum[0] : undefined);
    if (typeof value === "string") union.variants.push({ value, member });
    else union.fallback = member;
  }
  return union;
}

function dispatchUnions(set: SchemaSet): Files {
  return mapFiles(set, (node, at) => {
    const union = discriminated(set, node, at);
    if (!union) return node;
    const { oneOf: _, discriminator: __, ...rest } = node;
    const { property, fallback } = union;
    // ajv's discriminator keyword checks only the variant the value names (a switch, not a search).
    const dispatch = {
      type: "object",
      properties: { [property]: { type: "string" } },
      required: [property],
      discriminator: { propertyName: property },
      oneOf: union.variants.map((v) => v.member),
    };
    const known = union.variants.map((v) => v.value);
    const isKnown: SchemaNode = { type: "object", properties: { [property]: { enum: known } }, required: [property] };
    return fallback ? { ...rest, if: isKnown, then: dispatch, else: fallback } : { ...rest, ...dispatch };
  });
}

/** The `$id` a titled definition gets as a schema of its own. */
const definitionId = (title: string): string => `https://ci-callback.invalid/schema/definitions/${title}.json`;

function hoistDefinitions(files: Files): Files {
  const out: Files = new Map();
  const hoisted: Files = new Map();
  for (const [file, root] of files) {
    const absolute = (node: SchemaNode, at: Located): SchemaNode => {
      if (node.$ref === undefined) return node;
      const [refFile, pointer = ""] = node.$ref.split("#");
      const target = refFile === "" ? at.file : posix.join(posix.dirname(at.file), refFile);
      const title = /^\/definitions\/[^/]+$/.test(pointer) ? pointerNode(files.get(target), pointer)?.title : undefined;
      return { ...node, $ref: title ? definitionId(title) : `${files.get(target)?.$id ?? target}#${pointer}` };
    };
    const rewritten = walk(root, { file, pointer: "", node: root }, absolute);
    const definitions: Record<string, SchemaNode> = {};
    for (const [name, definition] of Object.entries(rewritten.definitions ?? {})) {
      if (definition.title) hoisted.set(`definitions/${definition.title}`, { ...definition, $id: definitionId(definition.title) });
      else definitions[name] = definition;
    }
    out.set(file, { ...rewritten, definitions });
  }
  return new Map([...out, ...hoisted]);
}

function pointerNode(root: SchemaNode | undefined, pointer: string): SchemaNode | undefined {
  let node: unknown = root;
  for (const token of pointer.split("/").slice(1)) node = (node as Record<string, unknown> | undefined)?.[token];
  return node as SchemaNode | undefined;
}

/** Applies `change` to every schema node of every file, outermost first, and returns the changed copies. */
function mapFiles(set: SchemaSet, change: (node: SchemaNode, at: Located) => SchemaNode): Files {
  const out: Files = new Map();
  for (const [file, root] of set.files) out.set(file, walk(root, { file, pointer: "", node: root }, change));
  return out;
}

const schemaKeys = ["properties", "definitions"] as const;
const schemaArrays = ["allOf", "oneOf", "anyOf"] as const;

function walk(node: SchemaNode, at: Located, change: (node: SchemaNode, at: Located) => SchemaNode): SchemaNode {
  const changed: Record<string, unknown> = { ...change(node, at) };
  for (const key of schemaKeys) {
    const map = changed[key] as Record<string, SchemaNode> | undefined;
    if (!map) continue;
    changed[key] = Object.fromEntries(
      Object.entries(map).map(([name, child]) => {
        const pointer = `${at.pointer}/${key}/${name}`;
        return [name, walk(child, { file: at.file, pointer, node: child }, change)];
      }),
    );
  }
  for (const key of schemaArrays) {
    const list = changed[key] as SchemaNode[] | undefined;
    if (!list) continue;
    changed[key] = list.map((child, i) => walk(child, { file: at.file, pointer: `${at.pointer}/${key}/${i}`, node: child }, change));
  }
  for (const key of ["items", "not", "if", "then", "else"] as const) {
    const child = changed[key] as SchemaNode | undefined;
    if (child) changed[key] = walk(child, { file: at.file, pointer: `${at.pointer}/${key}`, node: child }, change);
  }
  return changed as SchemaNode;
}

/** A copy of `node` (written in `from`) whose relative `$ref`s still point at the same place when it sits in `to`. */
function rebase(node: SchemaNode, from: string, to: string): SchemaNode {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) => {
      if (key !== "$ref" || typeof value !== "string") return value;
      const [file, pointer = ""] = value.split("#");
      const target = file === "" ? from : posix.join(posix.dirname(from), file);
      const path = target === to ? "" : posix.relative(posix.dirname(to), target);
      return `${path}#${pointer}`;
    }),
  ) as SchemaNode;
}
