/**
 * generated/normalize.ts: one function per schema container that turns a loose value (from the XML reader
 * or JSON.parse) into the canonical object. The bodies come from a handlebars template; ts-morph builds
 * the file around them and prints it formatted.
 */
import { IndentationText, Project, QuoteKind } from "ts-morph";
import { banner } from "./banner";
import type { Container } from "./schema-set";
import { template } from "./templates";

interface BodyData {
  textKeys: string[];
  textListKeys: string[];
  containers: { key: string; target: string }[];
  containerLists: { key: string; target: string }[];
}

const body = template<BodyData>("container-normalizer");
const safeKey = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The name of the normaliser of a container. */
export const normalizerName = (title: string): string => `normalize${title}`;

/** Prints generated/normalize.ts for the containers of one schema set. */
export function generateNormalizers(containers: Container[], from: string): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const file = project.createSourceFile("normalize.ts");
  file.addImportDeclaration({
    moduleSpecifier: "../src/normalize-runtime",
    namedImports: ["isRecord", "keepUnknown", "list", "mismatch", "nonEmpty", "put", "text", "textItem"],
  });
  file.addImportDeclaration({ moduleSpecifier: "../src/normalize-runtime", namedImports: ["NormalizeContext"], isTypeOnly: true });
  for (const container of containers) {
    const targets = (kind: string) =>
      container.fields.filter((f) => f.kind === kind).map((f) => ({ key: f.key, target: f.target ?? "" }));
    for (const field of container.fields) {
      if (!safeKey.test(field.key)) throw new Error(`${container.source}: property name ${field.key} is not a plain name`);
    }
    file.addFunction({
      isExported: true,
      name: normalizerName(container.title),
      docs: [`Normalises a \`${container.title}\` (${container.source}): ${container.description}`],
      parameters: [
        { name: "value", type: "unknown" },
        { name: "path", type: "string" },
        { name: "context", type: "NormalizeContext" },
      ],
      returnType: "unknown",
      statements: body({
        textKeys: container.fields.filter((f) => f.kind === "text").map((f) => f.key),
        textListKeys: container.fields.filter((f) => f.kind === "textList").map((f) => f.key),
        containers: targets("container"),
        containerLists: targets("containerList"),
      }),
    });
  }
  if (!containers.some((c) => c.fields.some((f) => f.kind === "textList"))) {
    file.getImportDeclarations()[0]?.getNamedImports().find((i) => i.getName() === "textItem")?.remove();
  }
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  return banner(from) + "\n" + file.getFullText();
}
