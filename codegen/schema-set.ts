/**
 * Reads schema/ and answers the one question the normaliser generator asks of it: which containers exist,
 * and for each property whether it is text, a container, or a list of either.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A JSON Schema node, as far as codegen reads it. */
export interface SchemaNode {
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

/** How one property of a container is normalised. */
export type FieldKind = "text" | "container" | "textList" | "containerList";

/** One property of a container. */
export interface Field {
  key: string;
  kind: FieldKind;
  /** The container's title, for `container` and `containerList`. */
  target?: string;
}

/** A schema object with a title: one generated normaliser each. */
export interface Container {
  title: string;
  description: string;
  /** Where it is defined, such as `media.schema.json#/definitions/MediaInfo`. */
  source: string;
  fields: Field[];
}

/** A node together with the file it was found in, which relative `$ref`s resolve against. */
interface Located {
  file: string;
  pointer: string;
  node: SchemaNode;
}

/** The schema files of one folder, by file name. */
export class SchemaSet {
  readonly files = new Map<string, SchemaNode>();

  constructor(readonly dir: string) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".schema.json")).sort()) {
      this.files.set(name, JSON.parse(readFileSync(join(dir, name), "utf8")) as SchemaNode);
    }
  }

  /** Every container reachable from `rootFile`, depth first, each once. */
  containers(rootFile: string): Container[] {
    const found = new Map<string, Container>();
    const visit = (at: Located): string => {
      const { node } = at;
      if (node.type !== "object" || !node.title) {
        throw new Error(`${at.file}#${at.pointer}: a container needs type "object" and a title`);
      }
      const known = found.get(node.title);
      const source = `${at.file}#${at.pointer}`;
      if (known) {
        if (known.source !== source) throw new Error(`title ${node.title} is used by ${known.source} and ${source}`);
        return node.title;
      }
      const container: Container = { title: node.title, description: node.description ?? "", source, fields: [] };
      found.set(node.title, container);
      for (const [key, property] of Object.entries(node.properties ?? {})) {
        const propertyAt = this.resolve({ file: at.file, pointer: `${at.pointer}/properties/${key}`, node: property });
        if (propertyAt.node.type === "array") {
          if (!propertyAt.node.items) throw new Error(`${source}: ${key} is an array without items`);
          const itemAt = this.resolve({ file: propertyAt.file, pointer: `${propertyAt.pointer}/items`, node: propertyAt.node.items });
          container.fields.push(
            itemAt.node.type === "object"
              ? { key, kind: "containerList", target: visit(itemAt) }
              : { key, kind: "textList" },
          );
        } else if (propertyAt.node.type === "object") {
          container.fields.push({ key, kind: "container", target: visit(propertyAt) });
        } else if (propertyAt.node.type === "string") {
          container.fields.push({ key, kind: "text" });
        } else {
          throw new Error(`${source}: ${key} has a type codegen does not map (${String(propertyAt.node.type)})`);
        }
      }
      return node.title;
    };
    visit(this.resolve({ file: rootFile, pointer: "", node: this.file(rootFile) }));
    return [...found.values()];
  }

  /** Follows `$ref`s until a node that has its own type. */
  private resolve(at: Located): Located {
    let current = at;
    for (let hops = 0; current.node.$ref !== undefined; hops++) {
      if (hops > 16) throw new Error(`${at.file}#${at.pointer}: $ref chain too long`);
      const [file, pointer = ""] = current.node.$ref.split("#");
      const target = file === "" ? current.file : file;
      current = { file: target, pointer, node: this.pointer(this.file(target), pointer) };
    }
    return current;
  }

  private file(name: string): SchemaNode {
    const node = this.files.get(name);
    if (!node) throw new Error(`no schema file ${name} in ${this.dir}`);
    return node;
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
