/** Access to the reference callbacks in test/fixtures/examples and to the repository's samples. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const repoRoot = join(__dirname, "..", "..");
export const examplesDir = join(repoRoot, "test", "fixtures", "examples");

/** The bytes of a reference example, such as `example("VideoEnhance/seed-2.xml")`. */
export function example(name: string): Buffer {
  return readFileSync(join(examplesDir, name));
}

/** The text of a reference example. */
export function exampleText(name: string): string {
  return example(name).toString("utf8");
}
