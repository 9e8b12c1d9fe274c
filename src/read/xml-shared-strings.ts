/**
 * The strings the strict reader hands out, kept once: element names (as the internalized keys V8 stores
 * properties under) and short leaf texts (so that callbacks kept in memory share their repeated values), each
 * in a bounded cache found by a hash the scanner computes as it reads the characters. Also how a text is cut
 * loose from the body it was read from.
 */
import { isSafeName } from "./safe-name";
import { charCodeAt } from "./xml-chars";

/**
 * Element names already found safe, by a hash of their characters (computed while scanning them): the
 * internalized copy V8 keeps for the property key, so that a name seen before costs neither a slice nor a
 * lookup, and storing under it skips the string table. Kept across bodies, since CI repeats the same few dozen
 * names; a slot holds the last name that hashed to it, so the cache stays bounded.
 */
const knownNames: (string | undefined)[] = new Array(1024).fill(undefined);

/** The name from `from` to `to` in `body` (whose hash is `hash`) if it was found safe before, else undefined. */
export function knownName(body: string, from: number, to: number, hash: number): string | undefined {
  const known = knownNames[hash & 1023];
  return known !== undefined && known.length === to - from && isAt(body, known, from) ? known : undefined;
}

/** The internalized copy of `name` (whose hash is `hash`) if it may be a key, else undefined. */
export function safeName(name: string, hash: number): string | undefined {
  if (!isSafeName(name)) return undefined;
  const internalized = Object.keys({ [name]: 0 })[0] as string;
  knownNames[hash & 1023] = internalized;
  return internalized;
}

/** Leaf texts this long or longer are not shared between callbacks, only copied. */
export const MAX_SHARED_TEXT = 64;
/**
 * Leaf texts seen, by a hash of their characters and length: the one copy callbacks kept in memory share (most
 * of a callback's texts repeat: states, tags, codecs, regions, buckets), as objects from JSON.parse share their
 * keys. A slot holds the last text that hashed to it, so the cache stays bounded.
 */
const knownTexts: (string | undefined)[] = new Array(4096).fill(undefined);

/** The text from `from` to `to` of `body` (plain characters) as the one copy callbacks share; `hash` is its characters'. */
export function sharedText(body: string, from: number, to: number, hash: number): string {
  const slot = (hash ^ (to - from)) & 4095;
  const known = knownTexts[slot];
  if (known !== undefined && known.length === to - from && isAt(body, known, from)) return known;
  return (knownTexts[slot] = detached(body.slice(from, to)));
}

/**
 * `text` as a string of its own. A slice of the body of 13 characters or more is a view on the whole body in
 * V8, and so is a concatenation of slices: a callback kept in memory would keep its whole body alive with it.
 * (A shorter slice is a copy already.)
 */
export function detached(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}

/** Whether `text` is in `body` at `at` (a loop, which V8 inlines: startsWith is a call, and the texts are short). */
export function isAt(body: string, text: string, at: number): boolean {
  for (let k = 0; k < text.length; k++) if (charCodeAt(body, at + k) !== charCodeAt(text, k)) return false;
  return true;
}
