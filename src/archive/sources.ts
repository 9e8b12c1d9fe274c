/**
 * What `validate`'s arguments name, one at a time: a file, the files under a directory (walked as it is
 * read, never listed whole), the files a glob matches, an NDJSON file, stdin, or a path that cannot be read.
 */
import { type Dirent } from "node:fs";
import { lstat, opendir, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { systemReason } from "../read/input";

/** One thing to check. */
export type Source =
  | { kind: "file"; path: string }
  | { kind: "ndjson"; path: string }
  | { kind: "stdin" }
  | { kind: "unreadable"; name: string; reason: string };

/** Files a directory walk picks: the bodies CI sends, and NDJSON archives of them. */
const callbackFile = /\.(xml|json|ndjson|jsonl)$/i;

/** An NDJSON file: one body a line. */
export function isNdjson(path: string): boolean {
  return /\.(ndjson|jsonl)$/i.test(path);
}

/** The sources the arguments name, in order; a directory's files as the walk meets them. */
export async function* sources(args: readonly string[]): AsyncGenerator<Source> {
  for (const arg of args) {
    if (arg === "-") {
      yield { kind: "stdin" };
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(arg)).isDirectory();
    } catch (error) {
      if (isDynamicPattern(arg)) {
        yield* globbed(arg);
        continue;
      }
      yield { kind: "unreadable", name: arg, reason: systemReason(error) };
      continue;
    }
    if (isDirectory) yield* walk(arg);
    else yield file(arg);
  }
}

function file(path: string): Source {
  return isNdjson(path) ? { kind: "ndjson", path } : { kind: "file", path };
}

/** The files under `dir`, depth first; symbolic links to files are followed, to directories not (no cycles). */
async function* walk(dir: string): AsyncGenerator<Source> {
  let entries: AsyncIterable<Dirent>;
  try {
    entries = await opendir(dir);
  } catch (error) {
    yield { kind: "unreadable", name: dir, reason: systemReason(error) };
    return;
  }
  for await (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (callbackFile.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isLinkToFile(path))))) yield file(path);
  }
}

async function isLinkToFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink() && (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The files a glob matches, sorted. tinyglobby returns them all at once: a directory is walked as it is read. */
async function* globbed(pattern: string): AsyncGenerator<Source> {
  const matches = (await glob(pattern, { onlyFiles: true, expandDirectories: false, absolute: isAbsolute(pattern) })).sort();
  if (matches.length === 0) yield { kind: "unreadable", name: pattern, reason: "no file matches this pattern" };
  for (const match of matches) yield file(match);
}
