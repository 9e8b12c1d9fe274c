/** generated/types.ts: the TypeScript interfaces of the canonical object, by json-schema-to-typescript. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compileFromFile } from "json-schema-to-typescript";
import { banner } from "./banner";
import type { SchemaNode } from "./schema-set";

/** Compiles one root schema file of a view (and every file it references) into interfaces named after the titles. */
export async function generateTypes(view: Map<string, SchemaNode>, rootFile: string): Promise<string> {
  // json-schema-to-typescript reads $refs from disk, so the view is laid out as files for it.
  const dir = mkdtempSync(join(tmpdir(), "ci-callback-types-"));
  try {
    for (const [file, schema] of view) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), JSON.stringify(schema));
    }
    return await compileFromFile(join(dir, rootFile), {
      cwd: dir,
      bannerComment: banner(`schema/${rootFile} and the files it references`).trimEnd(),
      // Unknown nodes are kept at run time, but typing them as an index signature would hide misspelt names.
      additionalProperties: false,
      declareExternallyReferenced: true,
      format: true,
      strictIndexSignatures: true,
      unreachableDefinitions: false,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
