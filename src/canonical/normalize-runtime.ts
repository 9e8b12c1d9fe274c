/**
 * The small runtime that the generated normalisers (generated/normalize.ts) call. Each generated function
 * knows one schema container; these helpers hold the rules every container shares: text leaves keep their
 * wire text, lists are always arrays, empty means absent, unknown nodes are kept and recorded.
 */
import { CallbackError, MAX_ISSUES, pointerToken } from "../read/errors";
import { isOwn } from "../read/own-keys";
import { isSafeName } from "../read/safe-name";

/**
 * Where a node is: its key in its container, and where that container is (`undefined` for the body itself).
 * Each container's normaliser gets one; the JSON Pointer text is built from it ({@link pointer}) only when an
 * issue is reported, so a valid body never pays for path strings.
 */
export interface Path {
  readonly parent: Place;
  readonly key: string | number;
}

/** A node's place: its {@link Path}, or `undefined` for the body itself (the JSON Pointer `""`). */
export type Place = Path | undefined;

/** The place of the child `key` of the container at `parent`. */
export function at(parent: Place, key: string | number): Path {
  return { parent, key };
}

/** The JSON Pointer of a place: `""` for the body, `/JobsDetail/0/Input` and so on below it. */
export function pointer(place: Place): string {
  let path = "";
  for (let node = place; node !== undefined; node = node.parent) path = `/${pointerToken(node.key)}${path}`;
  return path;
}

/** A node the schema does not know, met while normalising, and what was noted about it. */
export interface UnknownNode {
  readonly place: Place;
  readonly message: string;
}

/** State of one normalisation run. */
export interface NormalizeContext {
  /** Deepest nesting accepted for nodes the schema does not know. */
  readonly maxDepth: number;
  /** The first nodes the schema does not know, in the order met; `{ strict: true }` reports them. */
  readonly unknown: UnknownNode[];
  /** How many more unknown nodes were met than `unknown` holds (it keeps no more than an error lists). */
  unknownOmitted: number;
}

/** A new context for one normalisation run. */
export function normalizeContext(maxDepth: number): NormalizeContext {
  return { maxDepth, unknown: [], unknownOmitted: 0 };
}

function recordUnknown(context: NormalizeContext, place: Place, message: string): void {
  if (context.unknown.length < MAX_ISSUES) context.unknown.push({ place, message });
  else context.unknownOmitted++;
}

/** A generated normaliser for one schema container or leaf. */
export type Normalizer = (value: unknown, place: Place, context: NormalizeContext) => unknown;

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `key` on a container being built, unless the value normalised to absent. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A container with nothing inside is absent. */
export function nonEmpty(target: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const _ in target) return target;
  return undefined;
}

/**
 * A text leaf: empty text and null are absent; JSON numbers and booleans become their JSON text, so XML
 * `<JobLevel>0</JobLevel>` and JSON `"JobLevel": 0` agree. Anything else is left for validation to report.
 */
export function text(value: unknown): unknown {
  switch (typeof value) {
    case "string":
      return value === "" ? undefined : value;
    case "number":
    case "boolean":
      return String(value);
    default:
      return value === null ? undefined : value;
  }
}

/**
 * A number leaf (moderation bodies send real JSON numbers): a number stays a number; empty text and null are
 * absent; anything else, a number written as text included, is left for validation to report.
 */
export function number(value: unknown): unknown {
  return value === "" || value === null ? undefined : value;
}

/**
 * A map of names to text (moderation's `CosHeaders`, header name to value), the child `key` of the container
 * at `parent`: each value a text leaf, an empty map absent, and every key checked as the keys of unknown nodes
 * are, so none can reach `Object.prototype`.
 */
export function textMap(value: unknown, parent: Place, key: string): unknown {
  if (!isRecord(value)) return mismatch(value);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    if (!isSafeName(name)) throw nameError(at(parent, key));
    put(out, name, text(value[name]));
  }
  return nonEmpty(out);
}

/**
 * Where the schema expects a container but the body has something else: empty text and null are absent,
 * anything else is left for validation to report at this place.
 */
export function mismatch(value: unknown): unknown {
  return value === "" || value === null ? undefined : value;
}

/** A list node: always an array, whether the body sent one item bare or many; empty items are dropped. */
export function list(value: unknown, place: Place, context: NormalizeContext, item: Normalizer): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out: unknown[] = [];
  for (const entry of items) {
    const normalized = item(entry, at(place, out.length), context);
    if (normalized !== undefined) out.push(normalized);
  }
  return out.length > 0 ? out : undefined;
}

/** A list of text leaves: {@link list} with {@link text} for each item (a leaf needs no place). */
export function textList(value: unknown): unknown[] | undefined {
  return leaves(value, text);
}

/** A list of number leaves: {@link list} with {@link number} for each item. */
export function numberList(value: unknown): unknown[] | undefined {
  return leaves(value, number);
}

function leaves(value: unknown, leaf: (item: unknown) => unknown): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out: unknown[] = [];
  for (const entry of items) {
    const normalized = leaf(entry);
    if (normalized !== undefined) out.push(normalized);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * A node the schema does not know, met in a container at `place`: kept (text as text, containers and lists
 * as they came, empty ones dropped) and recorded, so `{ strict: true }` can report it.
 */
export function keepUnknown(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  place: Place,
  context: NormalizeContext,
): void {
  const kept = keepExtra(target, key, value, place, context);
  if (kept !== undefined) recordUnknown(context, kept, "is not in the schema");
}

/**
 * A child of a container the schema declares open (`additionalProperties: true`): kept as {@link keepUnknown}
 * keeps it, but expected, so not recorded. Returns its place when something was kept.
 */
export function keepExtra(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  place: Place,
  context: NormalizeContext,
): Path | undefined {
  if (!isSafeName(key)) throw nameError(place);
  const node = at(place, key);
  const kept = keep(value, node, context, depthOf(node));
  if (kept === undefined) return undefined;
  target[key] = kept;
  return node;
}

/**
 * A union member that leaves its discriminator out: `signatures` maps keys only one variant has to that
 * variant's value; when the keys of `source` name exactly one variant, the member gets its value.
 */
export function withImplied(
  value: Record<string, unknown>,
  property: string,
  source: unknown,
  signatures: Readonly<Record<string, string>>,
): Record<string, unknown> {
  if (!isRecord(source)) return value;
  const named = new Set<string>();
  for (const key of Object.keys(source)) if (Object.hasOwn(signatures, key)) named.add(signatures[key]);
  return named.size === 1 ? { [property]: [...named][0], ...value } : value;
}

/**
 * A union member whose discriminator (such as a job's Tag), the child `property` of the member at `place`,
 * names no variant the schema knows: recorded.
 */
export function noteUnknownVariant(
  discriminator: unknown,
  place: Place,
  property: string,
  context: NormalizeContext,
): void {
  if (typeof discriminator === "string" && discriminator !== "") {
    recordUnknown(context, at(place, property), "names a type the schema does not know");
  }
}

function keep(value: unknown, place: Place, context: NormalizeContext, depth: number): unknown {
  if (depth > context.maxDepth) {
    throw new CallbackError("limit", [
      { path: pointer(place), message: `nesting is deeper than the limit of ${context.maxDepth}` },
    ]);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const entry of value) {
      const kept = keep(entry, at(place, out.length), context, depth + 1);
      if (kept !== undefined) out.push(kept);
    }
    return out.length > 0 ? out : undefined;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) {
      if (!isOwn(value, key)) continue;
      if (!isSafeName(key)) throw nameError(place);
      put(out, key, keep(value[key], at(place, key), context, depth + 1));
    }
    return nonEmpty(out);
  }
  return text(value);
}

/** How deep a place is: the body is depth 1. */
function depthOf(place: Place): number {
  let depth = 1;
  for (let node = place; node !== undefined; node = node.parent) depth++;
  return depth;
}

/** A key that must not become a property name, met in the container at `place`. */
function nameError(place: Place): CallbackError {
  return new CallbackError("parse", [{ path: pointer(place), message: "a node name is not allowed" }]);
}
