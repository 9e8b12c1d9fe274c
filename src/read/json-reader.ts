/**
 * Reads a JSON body. JSON.parse does the work; one pass over its result then refuses what JSON.parse lets
 * through but a callback must not carry: nesting past the limit, duplicate keys (JSON.parse keeps the last
 * silently, other readers the first: one body, two meanings), numbers JavaScript cannot keep exactly, and
 * characters XML cannot carry (escaped control characters, lone surrogates, U+FFFE and U+FFFF raw or escaped),
 * so both formats accept the same text. The same pass counts the colons the result accounts for, which one
 * count over the text checks: a duplicate key is the only way to lose one. Errors give a line and column
 * (json-syntax.ts finds them, loaded only then) or a path, and never quote the body.
 */
import { CallbackError, pointerToken } from "./errors";
import { isOwn } from "./own-keys";
import { isSafeName } from "./safe-name";
import { isXmlText } from "./xml-guards";

type JsonSyntax = typeof import("./json-syntax");

// The error locator is loaded on the first body that needs it: a well-formed body never does.
let jsonSyntax: JsonSyntax | undefined;
function loadJsonSyntax(): JsonSyntax {
  jsonSyntax ??= require("./json-syntax") as JsonSyntax;
  return jsonSyntax;
}

/** Limits applied while reading. */
export interface JsonReadOptions {
  /** Deepest nesting accepted: the body is depth 1, each object or array level adds one. */
  maxDepth: number;
}

/**
 * Parses JSON text or throws a `CallbackError`: `parse` for text that is not JSON, a duplicate key, a number
 * that cannot be kept exactly or a character XML does not allow; `limit` for nesting deeper than `maxDepth`.
 */
export function readJson(text: string, options: JsonReadOptions): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    const problem = loadJsonSyntax().findJsonProblem(text);
    throw parseError(
      "",
      problem ? `JSON is not well-formed${at(text, problem.offset)}: ${problem.reason}` : "JSON is not well-formed",
    );
  }
  // Raw control characters and lone surrogates never get past JSON.parse and decodeBody: only a \u escape can
  // make one, or a raw U+FFFE or U+FFFF (which JSON allows in a string, XML nowhere), so strings are checked
  // only when the text has one of those. A text of one-byte characters holds neither noncharacter, which V8
  // knows without a scan.
  const checkText = text.includes("\\u") || text.includes("\uFFFE") || text.includes("\uFFFF");
  let colons = typeof value === "object" && value !== null ? countColons(value, 1, options.maxDepth, checkText) : 0;
  if (colons < 0) {
    const checked = checkSlowly(value, options.maxDepth, checkText);
    if (checked instanceof CallbackError) throw checked;
    colons = checked;
  }
  // A duplicate key drops a member, and the colon after its key with it, so the text then has more colons than
  // its result; without duplicates they match (a key holding a colon makes them differ too: then the exact scan
  // finds that nothing is wrong).
  if (colons !== colonTokens(text, checkText)) {
    const problem = loadJsonSyntax().findJsonProblem(text);
    if (problem) throw parseError("", `JSON has a duplicate key${at(text, problem.offset)}`);
  }
  return value;
}

/** A number JSON.parse turned into a float without losing anything: its text (String) is what the body meant. */
function isExactNumber(value: number): boolean {
  return Number.isInteger(value) ? Number.isSafeInteger(value) : Number.isFinite(value) && !String(value).includes("e");
}

// The fast pass recurses this deep at most; deeper bodies (hostile, or a raised maxDepth) take the slow one.
const RECURSION_LIMIT = 200;

/**
 * The fast pass, in the same walk as the checks: the colons a parsed container accounts for (one after each key,
 * and those inside its string values), or -1 at the first thing {@link checkSlowly} must look at: nesting past
 * the limit (or past what the fast pass recurses), an inexact number, a character XML does not allow.
 */
function countColons(container: object, depth: number, maxDepth: number, checkText: boolean): number {
  let colons = 0;
  if (Array.isArray(container)) {
    for (const item of container as unknown[]) {
      const inner = countItem(item, depth, maxDepth, checkText);
      if (inner < 0) return -1;
      colons += inner;
    }
    return colons;
  }
  const record = container as Record<string, unknown>;
  // for-in, not Object.keys: V8 walks JSON.parse's objects this way without allocating (src/read/own-keys.ts).
  for (const key in record) {
    if (!isOwn(record, key)) continue;
    if (checkText && !isXmlText(key)) return -1;
    const inner = countItem(record[key], depth, maxDepth, checkText);
    if (inner < 0) return -1;
    colons += inner + 1;
  }
  return colons;
}

/** {@link countColons} for one child of a container at `depth`. */
function countItem(item: unknown, depth: number, maxDepth: number, checkText: boolean): number {
  if (depth >= maxDepth || depth >= RECURSION_LIMIT) return -1;
  if (typeof item === "string") return checkText && !isXmlText(item) ? -1 : colonsIn(item);
  if (typeof item === "object" && item !== null) return countColons(item, depth + 1, maxDepth, checkText);
  if (typeof item === "number") return isExactNumber(item) ? 0 : -1;
  return 0;
}

function colonsIn(text: string): number {
  let colons = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) colons++;
  return colons;
}

/** A value on the way through {@link checkSlowly}, linked to its container for its path. */
interface Visit {
  value: unknown;
  /** Its key in its container: a property name, or an array index. */
  key: string | number;
  parent: Visit | undefined;
  depth: number;
}

/**
 * The slow pass, when the fast one could not finish: walks in document order with a stack of its own (any
 * depth) and returns the first problem, with its path, or else the colons {@link countColons} counts.
 */
function checkSlowly(root: unknown, maxDepth: number, checkText: boolean): CallbackError | number {
  let colons = 0;
  const stack: Visit[] = [{ value: root, key: "", parent: undefined, depth: 1 }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    const { value, depth } = visit;
    if (depth > maxDepth) {
      return problemAt(
        visit,
        (path) => new CallbackError("limit", [{ path, message: `nesting is deeper than the limit of ${maxDepth}` }]),
      );
    }
    if (typeof value === "number" && !isExactNumber(value)) {
      return problemAt(visit, (path) => parseError(path, "number is too large or too precise to keep exactly"));
    }
    if (typeof value === "string") {
      if (checkText && !isXmlText(value)) return problemAt(visit, characterError);
      colons += colonsIn(value);
    }
    if (typeof value !== "object" || value === null) continue;
    const children: Visit[] = [];
    if (Array.isArray(value)) {
      value.forEach((item: unknown, index) =>
        children.push({ value: item, key: index, parent: visit, depth: depth + 1 }),
      );
    } else {
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        colons++;
        if (checkText && !isXmlText(key)) return problemAt(visit, characterError);
        children.push({ value: item, key, parent: visit, depth: depth + 1 });
      }
    }
    // Reversed, so children are popped in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Visit);
  }
  return colons;
}

/**
 * The error `make` gives for a problem at `visit`, with its path; but if a key on the way there is not a safe
 * name (a path must not echo a hostile key), the error for that key, at its container.
 */
function problemAt(visit: Visit, make: (path: string) => CallbackError): CallbackError {
  const chain: Visit[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) chain.push(at);
  let path = "";
  for (const { key } of chain.reverse()) {
    if (typeof key === "string" && !isSafeName(key)) return parseError(path, "a node name is not allowed");
    path += `/${typeof key === "string" ? pointerToken(key) : key}`;
  }
  return make(path);
}

function characterError(path: string): CallbackError {
  return parseError(
    path,
    "text has a character XML does not allow (a control character, U+FFFE, U+FFFF or a lone surrogate)",
  );
}

/**
 * The colons of the text, each after a key or inside a string, counted as its result has them: with `escapes`
 * (the text has a \u escape), a string's `\u003a` is a colon too.
 */
function colonTokens(text: string, escapes: boolean): number {
  let colons = colonsIn(text);
  if (escapes) {
    for (let i = text.indexOf("\\u003"); i !== -1; i = text.indexOf("\\u003", i + 1)) {
      if ((text.charCodeAt(i + 5) | 0x20) === 0x61 /* a or A */) colons++;
    }
  }
  return colons;
}

/** " at line L, column C" of a character offset (both 1-based). */
function at(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return ` at line ${line}, column ${offset - lineStart + 1}`;
}

function parseError(path: string, message: string): CallbackError {
  return new CallbackError("parse", [{ path, message }]);
}
