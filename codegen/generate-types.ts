/** generated/types.ts: the TypeScript interfaces of the canonical object, by json-schema-to-typescript. */
import { join } from "node:path";
import { compileFromFile } from "json-schema-to-typescript";
import { banner } from "./banner";

/** Compiles one root schema file (and every file it references) into interfaces named after the titles. */
export async function generateTypes(schemaDir: string, rootFile: string): Promise<string> {
  return compileFromFile(join(schemaDir, rootFile), {
    cwd: schemaDir,
    bannerComment: banner(`schema/${rootFile} and the files it references`).trimEnd(),
    // Unknown nodes are kept at run time, but typing them as an index signature would hide misspelt names.
    additionalProperties: false,
    declareExternallyReferenced: true,
    format: true,
    strictIndexSignatures: true,
    unreachableDefinitions: false,
  });
}
