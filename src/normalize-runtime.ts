/**
 * The small runtime that the generated normalisers (generated/normalize.ts) call. Each generated function
 * knows one schema container; these helpers hold the rules every container shares: text leaves keep their
 * wire text, lists are always arrays, empty means absent, unknown nodes are kept and recorded.
 */
import { CallbackError, type CallbackIssue, MAX_ISSUES, pointerToken } from "./errors";
import { isSafeName } from "./safe-name";

/** State of one normalisation run. */
export interface NormalizeContext {
  /** Deepest nesting accepted for nodes the schema does not know. */
  readonly maxDepth: number;
  /** The first nodes the schema does not know, in the order met; `{ strict: true }` reports them. */
  readonly unknown: CallbackIssue[];
  /** How many more unknown nodes were met than `unknown` holds (it keeps no more than an error lists). */
  unknownOmitted: number;
}

/** A new context for one normalisation run. */
export function normalizeContext(maxDepth: number): NormalizeContext {
  return { maxDepth, unknown: [], unknownOmitted: 0 };
}

function recordUnknown(context: NormalizeContext, path: string, message: string): void {
  if (context.unknown.length < MAX_ISSUES) context.unknown.push({ path, message });
  else context.unknownOmitted++;
}

/** A generated normaliser for one schema container or leaf. */
export type Normalizer = (value: unknown, path: string, context: NormalizeContext) => unknown;

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `key` on a container being built, unless the value normalised to absent. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
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

/** A text leaf inside a list (same rules as {@link text}; the path is not needed). */
export const textItem: Normalizer = (value) => text(value);

/**
 * A number leaf (moderation bodies send real JSON numbers): a number stays a number; empty text and null are
 * absent; anything else, a number written as text included, is left for validation to report.
 */
export function number(value: unknown): unknown {
  return value === "" || value === null ? undefined : value;
}

/** A number leaf inside a list (same rules as {@link number}). */
export const numberItem: Normalizer = (value) => number(value);

/**
 * A map of names to text (moderation's `CosHeaders`, header name to value): each value a text leaf, an empty
 * map absent, and every key checked as the keys of unknown nodes are, so none can reach `Object.prototype`.
 */
export function textMap(value: unknown, path: string): unknown {
  if (!isRecord(value)) return mismatch(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!isSafeName(key)) throw new CallbackError("parse", [{ path, message: "a node name is not allowed" }]);
    put(out, key, text(value[key]));
  }
  return nonEmpty(out);
}

/**
 * Where the schema expects a container but the body has something else: empty text and null are absent,
 * anything else is left for validation to report at this path.
 */
export function mismatch(value: unknown): unknown {
  return value === "" || value === null ? undefined : value;
}

/** A list node: always an array, whether the body sent one item bare or many; empty items are dropped. */
export function list(value: unknown, path: string, context: NormalizeContext, item: Normalizer): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out: unknown[] = [];
  for (const entry of items) {
    const normalized = item(entry, `${path}/${out.length}`, context);
    if (normalized !== undefined) out.push(normalized);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * A node the schema does not know, met in a container at `path`: kept (text as text, containers and lists
 * as they came, empty ones dropped) and recorded, so `{ strict: true }` can report it.
 */
export function keepUnknown(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  path: string,
  context: NormalizeContext,
): void {
  const nodePath = keepExtra(target, key, value, path, context);
  if (nodePath !== undefined) recordUnknown(context, nodePath, "is not in the schema");
}

/**
 * A child of a container the schema declares open (`additionalProperties: true`): kept as {@link keepUnknown}
 * keeps it, but expected, so not recorded. Returns its path when something was kept.
 */
export function keepExtra(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  path: string,
  context: NormalizeContext,
): string | undefined {
  if (!isSafeName(key)) throw new CallbackError("parse", [{ path, message: "a node name is not allowed" }]);
  const nodePath = `${path}/${pointerToken(key)}`;
  const kept = keep(value, nodePath, context, depthOf(nodePath));
  if (kept === undefined) return undefined;
  target[key] = kept;
  return nodePath;
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

/** A union member whose discriminator (such as a job's Tag) names no variant the schema knows: recorded. */
export function noteUnknownVariant(discriminator: unknown, path: string, context: NormalizeContext): void {
  if (typeof discriminator === "string" && discriminator !== "") {
    recordUnknown(context, path, "names a type the schema does not know");
  }
}

function keep(value: unknown, path: string, context: NormalizeContext, depth: number): unknown {
  if (depth > context.maxDepth) {
    throw new CallbackError("limit", [{ path, message: `nesting is deeper than the limit of ${context.maxDepth}` }]);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const entry of value) {
      const kept = keep(entry, `${path}/${out.length}`, context, depth + 1);
      if (kept !== undefined) out.push(kept);
    }
    return out.length > 0 ? out : undefined;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (!isSafeName(key)) throw new CallbackError("parse", [{ path, message: "a node name is not allowed" }]);
      put(out, key, keep(value[key], `${path}/${pointerToken(key)}`, context, depth + 1));
    }
    return nonEmpty(out);
  }
  return text(value);
}

function depthOf(path: string): number {
  let depth = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47 /* "/" */) depth++;
  return depth;
}
