/**
 * generated/normalize.ts: one function per schema container (and per union) that turns a loose value (from
 * the XML reader or JSON.parse) into the canonical object. The bodies come from handlebars templates;
 * ts-morph prints the file around them from one structure (the templates are written formatted).
 */
import { type FunctionDeclarationStructure, IndentationText, Project, QuoteKind, StructureKind } from "ts-morph";
import { isSafeName } from "../src/read/safe-name";
import { banner } from "./banner";
import type { Container, Field, Shape, Union } from "./schema-set";
import { template } from "./templates";

/** One property of a container: the expression that normalises it (of `item`), and where it is stored. */
interface FieldStore {
  key: string;
  call: string;
  store: string;
}

interface ContainerBody {
  fields: FieldStore[];
  open: boolean;
}

interface UnionBody {
  property: string;
  variants: { value: string; target: string }[];
  fallback?: string;
  signatures: { key: string; value: string }[];
  within?: string;
}

const containerBody = template<ContainerBody>("container-normalizer");
const unionBody = template<UnionBody>("union-normalizer");
// Signature keys are printed as bare object-literal keys, so they must be identifiers; so are stored names.
const plainName = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The name of the normaliser of a container or union. */
export const normalizerName = (title: string): string => `normalize${title}`;

/** Prints generated/normalize.ts for the shapes of one schema set. */
export function generateNormalizers(shapes: Shape[], from: string): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const helpers = new Set<string>(["isRecord", "mismatch"]);
  const functions = shapes.map(
    (shape): FunctionDeclarationStructure => ({
      kind: StructureKind.Function,
      isExported: true,
      name: normalizerName(shape.title),
      docs: [`Normalises a \`${shape.title}\` (${shape.source}): ${shape.description}`],
      parameters: [
        { name: "value", type: "unknown" },
        { name: "place", type: "Place" },
        { name: "context", type: "NormalizeContext" },
      ],
      returnType: "unknown",
      statements: shape.kind === "union" ? union(shape, helpers) : container(shape, helpers),
    }),
  );
  // The whole file from one structure: ts-morph parses the file again after each change it makes, so adding
  // the functions one by one parsed a growing file once per shape (most of make codegen's time).
  const file = project.createSourceFile("normalize.ts", {
    statements: [
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: "../src/canonical/normalize-runtime", namedImports: [...helpers].sort() },
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: "../src/canonical/normalize-runtime",
        namedImports: ["NormalizeContext", "Place"],
        isTypeOnly: true,
      },
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: "../src/read/own-keys", namedImports: ["isOwn"] },
      ...functions,
    ],
  });
  return banner(from) + "\n" + file.getFullText();
}

function container(shape: Container, helpers: Set<string>): string {
  // A property name is printed inside string literals (`case "X-SheetPics":`), as a store (`out.JobId`, or
  // `out["X-SheetPics"]` when it is no identifier) and as a JSON Pointer segment, so any name the readers accept
  // as a node name (src/read/safe-name.ts) is safe: none of its characters needs escaping in any of them, and the
  // prototype's names are excluded.
  for (const field of shape.fields) {
    if (!isSafeName(field.key)) throw new Error(`${shape.source}: property name ${field.key} is not a safe name`);
  }
  const body: ContainerBody = { fields: shape.fields.map((field) => fieldStore(field, helpers)), open: shape.open };
  helpers.add("nonEmpty").add(shape.open ? "keepExtra" : "keepUnknown");
  return containerBody(body);
}

/**
 * How one property is normalised and stored: a named store (`out.JobId = kept`) per property rather than one
 * keyed store shared by all, so each store site sees one kind of object; places are made only for children
 * that can report an issue below them.
 */
function fieldStore(field: Field, helpers: Set<string>): FieldStore {
  const key = JSON.stringify(field.key);
  const store = plainName.test(field.key) ? `out.${field.key}` : `out[${key}]`;
  const target = normalizerName(field.target ?? "");
  switch (field.kind) {
    case "text":
    case "number":
    case "textList":
    case "numberList":
      helpers.add(field.kind);
      return { key: field.key, store, call: `${field.kind}(item)` };
    case "map":
      helpers.add("textMap");
      return { key: field.key, store, call: `textMap(item, place, ${key})` };
    case "container":
      helpers.add("at");
      return { key: field.key, store, call: `${target}(item, at(place, ${key}), context)` };
    case "containerList":
      helpers.add("at").add("list");
      return { key: field.key, store, call: `list(item, at(place, ${key}), context, ${target})` };
  }
}

function union(shape: Union, helpers: Set<string>): string {
  if (shape.fallback !== undefined) helpers.add("noteUnknownVariant");
  if (shape.signatures.length > 0) helpers.add("withImplied");
  for (const { key } of shape.signatures) {
    if (!plainName.test(key)) throw new Error(`${shape.source}: signature key ${key} is not a plain name`);
  }
  return unionBody({
    property: shape.property,
    variants: shape.variants,
    fallback: shape.fallback,
    signatures: shape.signatures,
    within: shape.within,
  });
}

