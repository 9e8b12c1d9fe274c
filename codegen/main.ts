/**
 * `make codegen`: reads schema/ and writes generated/ (types, validators, formats, normalisers).
 * Deterministic: the same schema gives the same bytes, so CI can fail on a stale generated/.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateNormalizers } from "./generate-normalizers";
import { generateTypes } from "./generate-types";
import { type FormatSpec, generateFormats, generateValidators } from "./generate-validators";
import { SchemaSet } from "./schema-set";

const root = join(__dirname, "..");
const schemaDir = join(root, "schema");
/** `--out DIR` writes elsewhere (the determinism test compares two runs); the default is generated/. */
const outFlag = process.argv.indexOf("--out");
const outDir = outFlag > 0 ? process.argv[outFlag + 1] : join(root, "generated");

/** The callbacks the package parses: root schema file, canonical type and validator name. */
const roots = [{ file: "task-finish.schema.json", type: "TaskFinishCallback", name: "validateTaskFinishCallback" }];

async function main(): Promise<void> {
  const schemas = new SchemaSet(schemaDir);
  const formats = JSON.parse(readFileSync(join(schemaDir, "formats.json"), "utf8")) as Record<string, FormatSpec>;
  delete formats.$comment;

  const files = new Map<string, string>();
  const rootSchema = roots[0];
  files.set("types.ts", await generateTypes(schemaDir, rootSchema.file));
  const validators = await generateValidators(schemas, formats, roots);
  files.set("validators.js", validators.js);
  files.set("validators.d.ts", validators.dts);
  files.set("formats.ts", await generateFormats(formats));
  files.set("normalize.ts", generateNormalizers(schemas.containers(rootSchema.file), `schema/${rootSchema.file} and the files it references`));

  mkdirSync(outDir, { recursive: true });
  for (const stale of readdirSync(outDir)) if (!files.has(stale)) rmSync(join(outDir, stale));
  for (const [name, code] of files) writeFileSync(join(outDir, name), code);
  console.log(`codegen: wrote ${[...files.keys()].join(", ")} to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
