/**
 * The package as a consumer gets it: `npm pack`, installed from the tarball into a project of its own outside
 * the repository, and what that install is made of.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./examples";

// Without the npm_* variables `npm test` sets, so that the consumer's npm sees only its own project.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));

/** Runs a command to completion and returns its trimmed stdout; throws with its stderr when it fails. */
export function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Packs the repository (as built) into `dir` and returns the tarball's path. */
export function pack(dir: string): string {
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], repoRoot)) as { filename: string }[];
  return join(dir, packed?.filename ?? "");
}

/** A project at `dir` whose production install is the tarball and `extra` packages (`name@version`). */
export function installConsumer(dir: string, tarball: string, extra: string[] = []): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const install = ["install", "--omit=dev", "--no-audit", "--no-fund", tarball, ...extra];
  // From the npm cache when it has everything; from the registry when it does not.
  try {
    run("npm", [...install, "--offline"], dir);
  } catch {
    run("npm", install, dir);
  }
}

/** The version of a package the repository installed (a dev dependency), as `name@version`. */
export function repositoryVersion(name: string): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return `${name}@${version}`;
}

/** A package in a node_modules folder (nested ones included): its name, folder, and what npm runs at install. */
export interface InstalledPackage {
  name: string;
  dir: string;
  /** Its preinstall, install and postinstall scripts, and the `node-gyp rebuild` npm runs for a binding.gyp. */
  installScripts: string[];
}

/** The packages installed in a node_modules folder, nested ones included, by name. */
export function installed(nodeModules: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const names = entry.name.startsWith("@") ? readdirSync(join(nodeModules, entry.name)).map((inner) => `${entry.name}/${inner}`) : [entry.name];
    for (const name of names) {
      const dir = join(nodeModules, name);
      const { scripts = {} } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
      const installScripts = ["preinstall", "install", "postinstall"].filter((script) => scripts[script] !== undefined);
      if (readdirSync(dir).includes("binding.gyp") && scripts.install === undefined) installScripts.push("install (binding.gyp)");
      found.push({ name, dir, installScripts });
      if (readdirSync(dir).includes("node_modules")) found.push(...installed(join(dir, "node_modules")));
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The bytes of every file below `dir` (their sizes added up, as npm and the README count an install). */
export function bytesOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesOf(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
