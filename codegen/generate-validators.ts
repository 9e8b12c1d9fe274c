/**
 * generated/validators.js (+ .d.ts) and generated/formats.ts: ajv standalone code, so nothing is compiled
 * at run time. ajv-formats and the custom formats of schema/formats.json are registered; custom formats are
 * regular expressions, which ajv inlines into the generated code. Every validator stops at a bounded number
 * of errors (bound-errors.ts), so an invalid body costs time linear in its size; the schema constants ajv
 * writes are cut to the parts the code reads (prune-schema-constants.ts).
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import standaloneCode from "ajv/dist/standalone";
import { format } from "prettier";
import { banner } from "./banner";
import { assertNoSpeculativeRefs, boundErrors } from "./bound-errors";
import { pruneSchemaConstants } from "./prune-schema-constants";
import type { SchemaNode } from "./schema-set";
import { template } from "./templates";

/** prettier's line width for the generated code. */
const PRINT_WIDTH = 120;

/** One exported validator: its function name, the schema file it checks and the type it guards. */
export interface ValidatorSpec {
  name: string;
  file: string;
  type: string;
}

/** A custom format as written in schema/formats.json. */
export interface FormatSpec {
  description: string;
  pattern: string;
}

const declarations = template<{ validators: ValidatorSpec[] }>("validators.d");
const formatsModule = template<{ formats: { name: string; description: string; constant: string; regex: string }[] }>(
  "formats",
);

/** The code of generated/validators.js and generated/validators.d.ts. */
export async function generateValidators(
  view: Map<string, SchemaNode>,
  formats: Record<string, FormatSpec>,
  validators: ValidatorSpec[],
): Promise<{ js: string; dts: string }> {
  // inlineRefs off: each shared container is one function, called by every job type that uses it.
  const ajv = new Ajv({ allErrors: true, strict: true, inlineRefs: false, discriminator: true, code: { source: true } });
  addFormats(ajv);
  // Annotations for other tools: json-schema-to-typescript reads tsType.
  ajv.addKeyword({ keyword: "tsType", schemaType: "string" });
  for (const [name, spec] of Object.entries(formats)) ajv.addFormat(name, new RegExp(spec.pattern));
  for (const schema of view.values()) ajv.addSchema(schema);
  const exports: Record<string, string> = {};
  for (const v of validators) {
    const id = view.get(v.file)?.$id;
    if (!id) throw new Error(`schema/${v.file} has no $id`);
    exports[v.name] = id;
  }
  assertNoSpeculativeRefs(view);
  const from = "schema/*.schema.json and schema/formats.json";
  const standalone = pruneSchemaConstants(standaloneCode(ajv, exports));
  const code = await formatInParts(banner(from), standalone);
  // boundErrors writes its lines as prettier prints them, so the code is not formatted a second time (that
  // pass changed nothing and cost as much as the first: 1.4 MB of code).
  const js = boundErrors(code, PRINT_WIDTH);
  const dts = await format(banner(from) + declarations({ validators }), { parser: "typescript", printWidth: 120 });
  return { js, dts };
}

/**
 * prettier's print of the standalone code, one top-level validator function at a time: the same text as one
 * print of the whole (prettier keeps statements apart by one line break, and ajv's code has no blank lines),
 * at a fraction of the memory, since prettier's tree of 1.4 MB of code at once took codegen past 400 MB.
 */
async function formatInParts(banner: string, standalone: string): Promise<string> {
  const parts = standalone.split(/(?=^function validate\d+\()|(?<=[;}])(?=function validate\d+\()/m);
  let code = "";
  for (const [i, part] of parts.entries()) code += await format(i === 0 ? banner + part : part, { parser: "babel", printWidth: PRINT_WIDTH });
  return code;
}

/** The code of generated/formats.ts: each custom format's pattern, for the helpers in src/. */
export async function generateFormats(formats: Record<string, FormatSpec>): Promise<string> {
  const entries = Object.entries(formats).map(([name, spec]) => ({
    name,
    description: spec.description,
    constant: `${name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Pattern`,
    regex: new RegExp(spec.pattern).toString(),
  }));
  return format(banner("schema/formats.json") + formatsModule({ formats: entries }), {
    parser: "typescript",
    printWidth: 120,
  });
}
