/**
 * generated/normalize.ts: one function per schema container (and per union) that turns a loose value (from
 * the XML reader or JSON.parse) into the canonical object. The bodies come from handlebars templates;
 * ts-morph builds the file around them and prints it formatted.
 */
import { IndentationText, Project, QuoteKind } from "ts-morph";
import { isSafeName } from "../src/safe-name";
import { banner } from "./banner";
import type { Container, Shape, Union } from "./schema-set";
import { template } from "./templates";

interface ContainerBody {
  textKeys: string[];
  numberKeys: string[];
  mapKeys: string[];
  textListKeys: string[];
  numberListKeys: string[];
  containers: { key: string; target: string }[];
  containerLists: { key: string; target: string }[];
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
// Signature keys are printed as bare object-literal keys, so they must be identifiers.
const plainName = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The name of the normaliser of a container or union. */
export const normalizerName = (title: string): string => `normalize${title}`;

/** Prints generated/normalize.ts for the shapes of one schema set. */
export function generateNormalizers(shapes: Shape[], from: string): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const file = project.createSourceFile("normalize.ts");
  const helpers = new Set<string>(["isRecord", "mismatch"]);
  for (const shape of shapes) {
    file.addFunction({
      isExported: true,
      name: normalizerName(shape.title),
      docs: [`Normalises a \`${shape.title}\` (${shape.source}): ${shape.description}`],
      parameters: [
        { name: "value", type: "unknown" },
        { name: "path", type: "string" },
        { name: "context", type: "NormalizeContext" },
      ],
      returnType: "unknown",
      statements: shape.kind === "union" ? union(shape, helpers) : container(shape, helpers),
    });
  }
  file.insertImportDeclaration(0, { moduleSpecifier: "../src/normalize-runtime", namedImports: [...helpers].sort() });
  file.insertImportDeclaration(1, {
    moduleSpecifier: "../src/normalize-runtime",
    namedImports: ["NormalizeContext"],
    isTypeOnly: true,
  });
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  return banner(from) + "\n" + file.getFullText();
}

function container(shape: Container, helpers: Set<string>): string {
  // A property name is printed only inside a string literal (`case "X-SheetPics":`) and as a JSON Pointer
  // segment, so any name the readers accept as a node name (src/safe-name.ts) is safe: none of its characters
  // needs escaping in either, and the prototype's names are excluded.
  for (const field of shape.fields) {
    if (!isSafeName(field.key)) throw new Error(`${shape.source}: property name ${field.key} is not a safe name`);
  }
  const keys = (kind: string) => shape.fields.filter((f) => f.kind === kind).map((f) => f.key);
  const targets = (kind: string) =>
    shape.fields.filter((f) => f.kind === kind).map((f) => ({ key: f.key, target: f.target ?? "" }));
  const body: ContainerBody = {
    textKeys: keys("text"),
    numberKeys: keys("number"),
    mapKeys: keys("map"),
    textListKeys: keys("textList"),
    numberListKeys: keys("numberList"),
    containers: targets("container"),
    containerLists: targets("containerList"),
    open: shape.open,
  };
  helpers.add("nonEmpty").add(shape.open ? "keepExtra" : "keepUnknown");
  if (shape.fields.length > 0) helpers.add("put");
  if (body.textKeys.length > 0) helpers.add("text");
  if (body.numberKeys.length > 0) helpers.add("number");
  if (body.mapKeys.length > 0) helpers.add("textMap");
  if (body.textListKeys.length > 0) helpers.add("list").add("textItem");
  if (body.numberListKeys.length > 0) helpers.add("list").add("numberItem");
  if (body.containerLists.length > 0) helpers.add("list");
  return containerBody(body);
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

