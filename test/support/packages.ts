/** What a bundle or an install is made of, by package name. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** What the parser loads. */
export const PARSER_PACKAGES = ["sax", "xml-js"];

/** What createCallbackInbox and createCallbackWorker load (bullmq and ioredis, required on first use). */
export const INBOX_PACKAGES = [
  "@ioredis/commands",
  "bullmq",
  "cluster-key-slot",
  "cron-parser",
  "debug",
  "denque",
  "detect-libc",
  "ioredis",
  "luxon",
  "ms",
  "msgpackr",
  "msgpackr-extract",
  "node-abort-controller",
  "node-gyp-build-optional-packages",
  "redis-errors",
  "semver",
  "standard-as-callback",
  "tslib",
];

/** The packages of node_modules that an esbuild metafile's inputs come from. */
export function bundledPackages(inputs: Record<string, unknown>): string[] {
  const names = Object.keys(inputs).map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]);
  return [...new Set(names.filter((name): name is string => name !== undefined))].sort();
}

/** The packages installed in a node_modules folder, nested ones included. */
export function installedPackages(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const scoped = entry.name.startsWith("@");
    for (const name of scoped ? readdirSync(join(nodeModules, entry.name)).map((inner) => `${entry.name}/${inner}`) : [entry.name]) {
      names.push(name);
      const nested = join(nodeModules, name, "node_modules");
      if (readdirSync(join(nodeModules, name)).includes("node_modules")) names.push(...installedPackages(nested));
    }
  }
  return names.sort();
}

/**
 * The packages package-lock.json installs for the runtime (not dev): `required` always, `optional` where the
 * platform has them (msgpackr's native addon has one package per platform).
 */
export function runtimePackages(lockFile: string): { required: string[]; optional: string[] } {
  const lock = JSON.parse(readFileSync(lockFile, "utf8")) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
  const required: string[] = [];
  const optional: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "" || entry.dev === true) continue;
    (entry.optional === true ? optional : required).push(path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  }
  return { required: [...new Set(required)].sort(), optional: [...new Set(optional)].sort() };
}
