/**
 * `make codegen`: reads schema/ and writes generated/ (types, validators, formats, normalisers).
 * Deterministic: the same schema gives the same bytes, so CI can fail on a stale generated/.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { bundle, compactJson, openApi, typesBundle } from "./generate-bundles";
import { generateNormalizers } from "./generate-normalizers";
import { generateSamples } from "./generate-samples";
import { generateUnions } from "./generate-unions";
import { generateTypes } from "./generate-types";
import { type FormatSpec, generateFormats, generateValidators } from "./generate-validators";
import { SchemaSet } from "./schema-set";
import { typesView, validationView } from "./schema-views";

const repo = join(__dirname, "..");
const schemaDir = join(repo, "schema");
/** `--out DIR` writes elsewhere (the determinism test compares two runs); the default is generated/. */
const outFlag = process.argv.indexOf("--out");
const outDir = outFlag > 0 ? process.argv[outFlag + 1] : join(repo, "generated");

/**
 * The roots of the schema, each with its canonical type and validator: media and workflow callbacks (XML or
 * JSON, by EventName), and moderation callbacks in their two versions (JSON only). The facade picks one by the
 * body's shape; `any-callback.schema.json` is their union, for the types and for other services.
 */
const roots = [
  { file: "callback.schema.json", type: "CiCallback", name: "validateCiCallback" },
  { file: "moderation/detail.schema.json", type: "ModerationDetailCallback", name: "validateModerationDetailCallback" },
  { file: "moderation/simple.schema.json", type: "ModerationSimpleCallback", name: "validateModerationSimpleCallback" },
];
const anyCallback = { file: "any-callback.schema.json", bundle: "callback.json" };

/** The events, each published as a self-contained schema and an OpenAPI webhook. */
const events = [
  { name: "TaskFinish", file: "task-finish.schema.json", bundle: "task-finish.json", summary: "A job finished." },
  { name: "WorkflowFinish", file: "workflow-finish.schema.json", bundle: "workflow-finish.json", summary: "A workflow run finished." },
  {
    name: "WorkflowStart",
    file: "workflow-start.schema.json",
    bundle: "workflow-start.json",
    summary: "A workflow run started (body inferred from WorkflowFinish's; CI publishes none).",
  },
  {
    name: "ModerationDetail",
    file: "moderation/detail.schema.json",
    bundle: "moderation-detail.json",
    jsonOnly: true,
    summary: "A content-moderation job has a verdict (Detail version: ReviewImage, ReviewText, ReviewAudio, ReviewVideo, ReviewDocument, ReviewHtml).",
  },
  {
    name: "ModerationSimple",
    file: "moderation/simple.schema.json",
    bundle: "moderation-simple.json",
    jsonOnly: true,
    summary: "A content-moderation job has a verdict (Simple version), or the console tests a callback URL.",
  },
];
const bundleBase = "https://ci-callback.invalid/schema/";

/** The package version, which the OpenAPI document carries. */
const version = (): string => (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;

async function main(): Promise<void> {
  const schemas = new SchemaSet(schemaDir);
  const formats = JSON.parse(readFileSync(join(schemaDir, "formats.json"), "utf8")) as Record<string, FormatSpec>;
  delete formats.$comment;

  const files = new Map<string, string>();
  // One flat interface per job type: every allOf merged (for types.ts and for the bundles under types/).
  const typeSchemas = new SchemaSet(schemaDir, typesView(schemas));
  files.set("types.ts", await generateTypes(typeSchemas.files, anyCallback.file));
  const validators = await generateValidators(validationView(schemas), formats, roots);
  files.set("validators.js", validators.js);
  files.set("validators.d.ts", validators.dts);
  files.set("formats.ts", await generateFormats(formats));
  const shapes = roots.flatMap((root) => schemas.shapes(root.file));
  const from = `schema/${anyCallback.file} and the files it references`;
  files.set("normalize.ts", generateNormalizers(shapes, from));
  files.set("unions.ts", await generateUnions(shapes, from));
  files.set("samples.ts", await generateSamples(shapes, from));

  // Each published root in both forms: for validators, and for code generators under types/.
  for (const root of [...events, anyCallback]) {
    files.set(`schema/${root.bundle}`, compactJson(bundle(schemas, root.file, `${bundleBase}${root.bundle}`, formats)));
    files.set(`schema/types/${root.bundle}`, compactJson(typesBundle(typeSchemas, root.file, `${bundleBase}types/${root.bundle}`, formats)));
  }
  files.set("schema/openapi.json", compactJson(openApi(schemas, events, version(), formats)));

  rmSync(outDir, { recursive: true, force: true });
  for (const [name, code] of files) {
    mkdirSync(dirname(join(outDir, name)), { recursive: true });
    writeFileSync(join(outDir, name), code);
  }
  console.log(`codegen: wrote ${[...files.keys()].join(", ")} to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
