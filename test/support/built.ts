/** The built package (dist/), which the CLI and package tests run; built once if missing. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./examples";

export const cliPath = join(repoRoot, "dist", "src", "cli", "main.js");

/** Builds dist/ when it is not there (`npm test` builds before mocha runs). */
export function ensureBuilt(): void {
  if (!existsSync(cliPath)) execFileSync("npm", ["run", "--silent", "build"], { cwd: repoRoot, stdio: "inherit" });
}
