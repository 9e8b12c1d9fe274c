/**
 * Reads schema/ and answers what the generators ask of it: which containers and unions exist, and for each
 * property of a container whether it is text, a container, or a list of either. It understands the few
 * composition forms the schema uses: `$ref`, `allOf` (a job type extends the job envelope) and `oneOf` with
 * a `discriminator` (jobs by Tag, callbacks by EventName).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";

/** A JSON Schema node, as far as codegen reads it. */
export interface SchemaNode {
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  not?: SchemaNode;
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  discriminator?: { propertyName: string };
  definitions?: Record<string, SchemaNode>;
  examples?: unknown[];
  format?: string;
  pattern?: string;
  tsType?: string;
}

/**
 * How one property of a container is normalised: text leaves keep their wire text (media); number leaves are
 * JSON numbers (moderation, which sends real numbers); a map is an object of text values with free keys.
 */
export type FieldKind = "text" | "number" | "map" | "container" | "textList" | "numberList" | "containerList";

/** One property of a container. */
export interface Field {
  key: string;
  kind: FieldKind;
  /** The title of the container or union, for `container` and `containerList`. */
  target?: string;
  /** The resolved leaf schema, for leaves and leaf lists (samples read its const, enum and examples). */
  leaf?: SchemaNode;
  /** Example values written on the property itself (beside a `$ref`), which win over the leaf's own. */
  examples?: unknown[];
}

/** A schema object with a title: one generated normaliser each. */
export interface Container {
  kind: "object";
  title: string;
  description: string;
  /** Where it is defined, such as `media.schema.json#/definitions/MediaInfo`. */
  source: string;
  fields: Field[];
  required: string[];
  /** `additionalProperties: true` said explicitly: children the schema does not list are expected, not unknown. */
  open: boolean;
}

/** A `oneOf` told apart by one property's value: one dispatching normaliser each. */
export interface Union {
  kind: "union";
  title: string;
  description: string;
  source: string;
  /** The discriminating property, such as `Tag`. */
  property: string;
  /** Each variant's discriminator value and the title of its container. */
  variants: { value: string; target: string }[];
  /** The container of values no variant names (UnknownJob), if the union has one. */
  fallback?: string;
  /**
   * When a body leaves the discriminator out (2020-era callbacks have no EventName, one document's job has no
   * Tag), the keys that name the variant: keys only that variant has, at its top level or, when no variant
   * has such keys, inside the container field `within` (a job's Operation). When some variants give their
   * discriminator a `default`, only those are candidates (a newer event sharing WorkflowExecution names none).
   */
  signatures: { key: string; value: string }[];
  within?: string;
}

export type Shape = Container | Union;

/** A node together with the file it was found in, which relative `$ref`s resolve against. */
export interface Located {
  file: string;
  pointer: string;
  node: SchemaNode;
}

/** The schema files of one folder (and its subfolders), by path relative to it, such as `jobs/transcode.schema.json`. */
export class SchemaSet {
  readonly files = new Map<string, SchemaNode>();

  /** Reads the files of `dir`; or takes `files` as they are (a view of them, such as `typesView`'s). */
  constructor(
    readonly dir: string,
    files?: ReadonlyMap<string, SchemaNode>,
  ) {
    if (files) {
      for (const [name, node] of files) this.files.set(name, node);
      return;
    }
    for (const name of listFiles(dir).filter((n) => n.endsWith(".schema.json"))) {
      this.files.set(name, JSON.parse(readFileSync(join(dir, name), "utf8")) as SchemaNode);
    }
  }

  /** Every container and union reachable from `rootFile`, depth first, each once. */
  shapes(rootFile: string): Shape[] {
    const found = new Map<string, Shape>();
    const visit = (at: Located): string => {
      const { node } = at;
      const source = `${at.file}#${at.pointer}`;
      if (!node.title) throw new Error(`${source}: a container or union needs a title`);
      const known = found.get(node.title);
      if (known) {
        if (known.source !== source) throw new Error(`title ${node.title} is used by ${known.source} and ${source}`);
        return node.title;
      }
      if (node.oneOf) {
        const union = this.union(at, visit);
        found.set(node.title, union);
        return node.title;
      }
      const object = this.object(at);
      const container: Container = {
        kind: "object",
        title: node.title,
        description: node.description ?? "",
        source,
        fields: [],
        required: object.required,
        open: node.additionalProperties === true,
      };
      found.set(node.title, container);
      for (const [key, property] of Object.entries(object.properties)) {
        const propertyAt = this.resolve(property);
        if (propertyAt.node.type === "array") {
          if (!propertyAt.node.items) throw new Error(`${source}: ${key} is an array without items`);
          const itemAt = this.resolve({ file: propertyAt.file, pointer: `${propertyAt.pointer}/items`, node: propertyAt.node.items });
          if (isComposite(itemAt.node)) {
            container.fields.push({ key, kind: "containerList", target: visit(itemAt) });
          } else {
            const leaf = this.leaf(itemAt, key, source);
            container.fields.push({ key, kind: isNumber(leaf) ? "numberList" : "textList", leaf });
          }
        } else if (isMap(propertyAt.node)) {
          container.fields.push({ key, kind: "map", leaf: propertyAt.node, examples: property.node.examples });
        } else if (isComposite(propertyAt.node)) {
          container.fields.push({ key, kind: "container", target: visit(propertyAt) });
        } else {
          const leaf = this.leaf(propertyAt, key, source);
          container.fields.push({ key, kind: isNumber(leaf) ? "number" : "text", leaf, examples: property.node.examples });
        }
      }
      return node.title;
    };
    visit(this.resolve({ file: rootFile, pointer: "", node: this.file(rootFile) }));
    return [...found.values()];
  }

  /** The properties and required names of an object schema, with those of its `allOf` members merged in (its own win). */
  object(at: Located): { properties: Record<string, Located>; required: string[] } {
    const properties: Record<string, Located> = {};
    const required: string[] = [];
    for (const [index, member] of (at.node.allOf ?? []).entries()) {
      const merged = this.object(this.resolve({ file: at.file, pointer: `${at.pointer}/allOf/${index}`, node: member }));
      Object.assign(properties, merged.properties);
      required.push(...merged.required);
    }
    if (at.node.type !== "object") throw new Error(`${at.file}#${at.pointer}: expected type "object"`);
    for (const [key, node] of Object.entries(at.node.properties ?? {})) {
      properties[key] = { file: at.file, pointer: `${at.pointer}/properties/${key}`, node };
    }
    required.push(...(at.node.required ?? []));
    return { properties, required: [...new Set(required)] };
  }

  /** Follows `$ref`s until a node that has its own content. */
  resolve(at: Located): Located {
    let current = at;
    for (let hops = 0; current.node.$ref !== undefined; hops++) {
      if (hops > 16) throw new Error(`${at.file}#${at.pointer}: $ref chain too long`);
      const [file, pointer = ""] = current.node.$ref.split("#");
      const target = file === "" ? current.file : posix.normalize(posix.join(posix.dirname(current.file), file));
      current = { file: target, pointer, node: this.pointer(this.file(target), pointer) };
    }
    return current;
  }

  /** A schema file by its path relative to the schema folder. */
  file(name: string): SchemaNode {
    const node = this.files.get(name);
    if (!node) throw new Error(`no schema file ${name} in ${this.dir}`);
    return node;
  }

  private union(at: Located, visit: (at: Located) => string): Union {
    const { node } = at;
    const property = node.discriminator?.propertyName;
    if (!property) throw new Error(`${at.file}#${at.pointer}: a oneOf needs a discriminator`);
    const union: Union = {
      kind: "union",
      title: node.title ?? "",
      description: node.description ?? "",
      source: `${at.file}#${at.pointer}`,
      property,
      variants: [],
      signatures: [],
    };
    const keysOf = new Map<string, { own: string[]; fields: Map<string, { title: string; keys: string[] }> }>();
    const defaults: string[] = [];
    for (const [index, member] of (node.oneOf ?? []).entries()) {
      const variantAt = this.resolve({ file: at.file, pointer: `${at.pointer}/oneOf/${index}`, node: member });
      const object = this.object(variantAt);
      const discriminator = object.properties[property];
      const leaf = discriminator && this.resolve(discriminator).node;
      const value = leaf?.const ?? (leaf?.enum?.length === 1 ? leaf.enum[0] : undefined);
      const target = visit(variantAt);
      if (typeof value === "string") {
        union.variants.push({ value, target });
        keysOf.set(value, { own: Object.keys(object.properties), fields: this.childKeys(object.properties) });
        if (leaf?.default === value) defaults.push(value);
      } else if (leaf?.not?.enum && union.fallback === undefined) {
        union.fallback = target;
      } else {
        throw new Error(`${union.source}: variant ${target} names no ${property} (const) and is not the fallback (not enum)`);
      }
    }
    const all = union.variants.map((v) => v.value);
    if (union.fallback !== undefined) {
      const excluded = this.fallbackExclusions(at, property);
      if (excluded.join() !== [...all].sort().join()) {
        throw new Error(`${union.source}: the fallback's "not enum" must list exactly the variants' ${property} values`);
      }
    }
    // Variants whose discriminator has a `default` (the events of the 2020-era bodies that omit EventName) are
    // the only ones a missing discriminator may name; without any, every variant may be named.
    const values = defaults.length > 0 ? defaults : all;
    const unique = (keys: (value: string) => string[]) => {
      const count = new Map<string, number>();
      for (const value of values) for (const key of new Set(keys(value))) count.set(key, (count.get(key) ?? 0) + 1);
      return values.flatMap((value) => keys(value).filter((k) => count.get(k) === 1).map((key) => ({ key, value })));
    };
    union.signatures = unique((value) => keysOf.get(value)?.own ?? []);
    if (union.signatures.length === 0) {
      // The container field every variant has, but each with its own container (a job's Operation).
      const shared = [...(keysOf.get(values[0] ?? "")?.fields.keys() ?? [])].find(
        (field) => new Set(values.map((value) => keysOf.get(value)?.fields.get(field)?.title)).size === values.length,
      );
      if (shared) {
        union.within = shared;
        union.signatures = unique((value) => keysOf.get(value)?.fields.get(shared)?.keys ?? []);
      }
    }
    return union;
  }

  /** For each property that is a titled object, its title and keys. */
  private childKeys(properties: Record<string, Located>): Map<string, { title: string; keys: string[] }> {
    const out = new Map<string, { title: string; keys: string[] }>();
    for (const [key, property] of Object.entries(properties)) {
      const target = this.resolve(property);
      if (target.node.type === "object" && target.node.title) {
        out.set(key, { title: target.node.title, keys: Object.keys(this.object(target).properties) });
      }
    }
    return out;
  }

  private fallbackExclusions(at: Located, property: string): string[] {
    for (const [index, member] of (at.node.oneOf ?? []).entries()) {
      const variantAt = this.resolve({ file: at.file, pointer: `${at.pointer}/oneOf/${index}`, node: member });
      const discriminator = this.object(variantAt).properties[property];
      const excluded = discriminator && this.resolve(discriminator).node.not?.enum;
      if (excluded) return excluded.map(String).sort();
    }
    return [];
  }

  private leaf(at: Located, key: string, source: string): SchemaNode {
    if (at.node.type !== "string" && typeof at.node.const !== "string" && !isNumber(at.node)) {
      throw new Error(`${source}: ${key} has a type codegen does not map (${String(at.node.type)})`);
    }
    return at.node;
  }

  private pointer(root: SchemaNode, pointer: string): SchemaNode {
    let node: unknown = root;
    for (const token of pointer.split("/").slice(1)) {
      node = (node as Record<string, unknown>)[token.replace(/~1/g, "/").replace(/~0/g, "~")];
      if (node === undefined) throw new Error(`unresolved $ref pointer ${pointer}`);
    }
    return node as SchemaNode;
  }
}

/** An object or a union: something with a normaliser of its own, as opposed to a leaf or a map. */
function isComposite(node: SchemaNode): boolean {
  return (node.type === "object" && !isMap(node)) || node.oneOf !== undefined || node.allOf !== undefined;
}

/** A map: an object with no properties of its own, whose every value is text (`CosHeaders` of moderation). */
export function isMap(node: SchemaNode): boolean {
  const values = node.additionalProperties;
  return node.type === "object" && node.properties === undefined && typeof values === "object" && values.type === "string";
}

/** A JSON number leaf (`integer` or `number`), which stays a number in the canonical object. */
function isNumber(node: SchemaNode): boolean {
  return node.type === "integer" || node.type === "number";
}

/** Every file below `dir`, as posix paths relative to it, sorted. */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path).split("\\").join("/")];
    });
}
