/** What a bundle or an install is made of, by package name. */
import { readFileSync } from "node:fs";

/** What the parser loads. */
export const PARSER_PACKAGES = ["sax", "xml-js"];

/** What ci-callback/inbox loads (bullmq and ioredis, optional peers, required on first use) in a consumer's install. */
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
