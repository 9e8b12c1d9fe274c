/**
 * Which names may become keys of the plain objects this package builds: XML element names and the JSON keys
 * of nodes the schema does not know. Everything else is refused before it can reach an object.
 */

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** Longest name accepted; CI's longest is about 30 characters. */
const MAX_NAME_LENGTH = 128;
// Names that would shadow or reach Object.prototype members when used as plain-object keys.
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

/**
 * Whether `name` may become a key of a plain object: a short XML-ish name (letters, digits, `_`, `.`, `-`,
 * starting with a letter, at most 128 chars) that is not a property of `Object.prototype`.
 * Rejects `__proto__`, `constructor`, namespaced names and the like.
 */
export function isSafeName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name) && !PROTOTYPE_NAMES.has(name);
}
