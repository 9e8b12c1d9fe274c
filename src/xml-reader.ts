/**
 * Reads an XML callback body into a loose JS value. The only module that touches xml-js: everything
 * xml-js (and the sax parser under it) lets through silently is caught here, so the rest of the
 * package sees either a well-formed, attribute-free element tree or a {@link CallbackError}.
 */
import { randomUUID } from "node:crypto";
import { xml2js } from "xml-js";
import { CallbackError, pointerToken } from "./errors";

/** A value read from XML before the schema shapes it: text, a container, or repeated elements. */
export type LooseValue = string | LooseObject | LooseValue[];

/** An element with child elements: one key per child name. */
export interface LooseObject {
  [name: string]: LooseValue;
}

/** Limits applied while reading. */
export interface XmlReadOptions {
  /** deepest element nesting accepted (root = depth 1) */
  maxDepth: number;
}

/** A read XML body. */
export interface XmlDocument {
  /** the root element's name */
  root: string;
  /** the root element's content */
  value: LooseValue;
}

/** The parts of an xml-js non-compact node we read (with the options below). */
interface XmlNode {
  type?: string;
  name?: string;
  text?: string;
  cdata?: string;
  comment?: string;
  attributes?: Record<string, unknown>;
  elements?: XmlNode[];
}

// Whitespace text is kept so `<A> </A>` reads as " "; whitespace between child elements is dropped below.
const XML_JS_OPTIONS = { compact: false, captureSpacesBetweenElements: true } as const;

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const MAX_NAME_LENGTH = 128;
// Names that would shadow or reach Object.prototype members when used as plain-object keys.
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

const XML_SPACE = /^[ \t\r\n]*$/;
const DECLARATION = /^\uFEFF?<\?xml(?=[\s?])([^?]*)\?>/;
const PSEUDO_ATTRIBUTES = /^(?:\s+[A-Za-z]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*$/;
const ENCODING = /\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/;
// Skips comments and CDATA (where `&` is literal); a bare match is an `&` that starts no XML reference.
const UNDEFINED_ENTITY = /<!--[^]*?-->|<!\[CDATA\[[^]*?\]\]>|&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/g;

const TRUNCATED = "XML body ends before the root element is closed (truncated)";
const DOCTYPE = "DOCTYPE is not allowed";
const INSTRUCTION = "processing instructions are not allowed (the XML declaration only at the very start)";

/**
 * Whether `name` may become a key of a plain object: a short XML-ish name (letters, digits, `_`, `.`, `-`,
 * starting with a letter, at most 128 chars) that is not a property of `Object.prototype`.
 * Rejects `__proto__`, `constructor`, namespaced names and the like.
 */
export function isSafeName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name) && !PROTOTYPE_NAMES.has(name);
}

/**
 * Parses the text of an XML callback body into its root element's name and a loose value: text-only and
 * empty elements become strings (untrimmed), elements with children become objects keyed by child name,
 * and a name repeated among siblings becomes an array in document order.
 *
 * @throws {CallbackError} kind `"parse"` for a body that is not well-formed, is truncated, has a DOCTYPE,
 *   processing instruction, non-UTF-8 declaration, attribute, unsafe element name, mixed content or not
 *   exactly one root; kind `"limit"` for nesting deeper than `options.maxDepth`. Messages never quote the body.
 */
export function readXml(text: string, options: XmlReadOptions): XmlDocument {
  const last = lastNonSpace(text);
  if (last === undefined) throw parseError("", "XML body has no root element");
  // sax reports nothing when the input just stops, so a cut-off body must be caught without it.
  if (last !== ">") throw parseError("", TRUNCATED);

  const body = checkDeclaration(text);
  // sax also drops the error for input ending inside a comment, PI or CDATA after the root. So we append
  // a comment the body cannot predict: it comes back as the last top-level node only if the body was complete.
  const sentinel = randomUUID();
  const input = `${body}<!--${sentinel}-->`;
  let document: XmlNode;
  try {
    document = xml2js(input, XML_JS_OPTIONS) as XmlNode;
  } catch (error) {
    throw notWellFormed(input, error);
  }

  const root = findRoot(document, sentinel);
  const value = toLoose(root, options.maxDepth);
  for (const match of body.matchAll(UNDEFINED_ENTITY)) {
    // sax expands HTML entities (`&nbsp;`) because xml-js sets strictEntities too late; XML defines 5.
    if (match[0] === "&") throw parseError("", "XML body uses an entity that XML does not define");
  }
  return { root: root.name as string, value };
}

/** Validates a leading XML declaration and blanks it out (keeping line/column), so any `<?xml` xml-js still sees is misplaced. */
function checkDeclaration(text: string): string {
  const match = DECLARATION.exec(text);
  if (!match) return text;
  const pseudoAttributes = match[1] ?? "";
  if (!PSEUDO_ATTRIBUTES.test(pseudoAttributes)) throw parseError("", "XML declaration is malformed");
  const encoding = ENCODING.exec(pseudoAttributes);
  if (encoding && (encoding[1] ?? encoding[2] ?? "").toLowerCase() !== "utf-8") {
    throw parseError("", "XML declaration must declare UTF-8 encoding");
  }
  return match[0].replace(/[^\n]/g, " ") + text.slice(match[0].length);
}

/** Checks the top level (one root, nothing but whitespace and comments beside it, complete) and returns the root. */
function findRoot(document: XmlNode, sentinel: string): XmlNode {
  if (Object.hasOwn(document, "declaration")) throw parseError("", INSTRUCTION);
  const nodes = document.elements ?? [];
  let root: XmlNode | undefined;
  for (const node of nodes) {
    if (node.type === "element") {
      if (root) throw parseError("", "XML body has more than one root element");
      root = node;
    } else if (node.type === "doctype") {
      throw parseError("", DOCTYPE);
    } else if (node.type === "instruction") {
      throw parseError("", INSTRUCTION);
    } else if (node.type !== "comment" && !(node.type === "text" && XML_SPACE.test(node.text ?? ""))) {
      throw parseError("", "XML body has content outside the root element");
    }
  }
  if (!root) throw parseError("", "XML body has no root element");
  // xml-js deletes `parent` when an element closes; one left over means the body stopped inside it.
  if (Object.hasOwn(root, "parent")) throw parseError("", TRUNCATED);
  const tail = nodes[nodes.length - 1];
  if (tail?.type !== "comment" || tail.comment !== sentinel) {
    throw parseError("", "XML body ends inside unterminated markup (truncated)");
  }
  if (typeof root.name !== "string" || !isSafeName(root.name)) throw parseError("", "element name is not allowed");
  return root;
}

/** One element still to convert, and where its value goes. */
interface Pending {
  node: XmlNode;
  path: string;
  depth: number;
  parent: LooseObject;
  name: string;
}

/** Converts the element tree iteratively (an explicit stack: bodies may nest far deeper than the JS stack). */
function toLoose(root: XmlNode, maxDepth: number): LooseValue {
  const holder: LooseObject = {};
  const stack: Pending[] = [{ node: root, path: "", depth: 1, parent: holder, name: "value" }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, path, depth } = item;
    if (depth > maxDepth) {
      throw new CallbackError("limit", [{ path, message: `elements nest deeper than the limit of ${maxDepth}` }]);
    }
    if (Object.hasOwn(node, "parent")) throw parseError(path, TRUNCATED);
    if (node.attributes) throw parseError(path, "XML attributes are not allowed");
    if (Object.hasOwn(node, "declaration")) throw parseError(path, INSTRUCTION);

    let text = "";
    const children: XmlNode[] = [];
    for (const child of node.elements ?? []) {
      if (child.type === "element") children.push(child);
      else if (child.type === "text") text += child.text ?? "";
      else if (child.type === "cdata") text += child.cdata ?? "";
      else if (child.type === "instruction") throw parseError(path, INSTRUCTION);
      else if (child.type !== "comment") throw parseError(path, child.type === "doctype" ? DOCTYPE : "unexpected XML markup");
    }
    if (children.length === 0) {
      place(item, text);
      continue;
    }
    if (!XML_SPACE.test(text)) throw parseError(path, "element mixes text and child elements");

    const counts = new Map<string, number>();
    for (const child of children) {
      if (typeof child.name !== "string" || !isSafeName(child.name)) throw parseError(path, "element name is not allowed");
      counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
    }
    // Keys are created now, in first-occurrence order (a Map iterates in insertion order), so the object
    // lists its children in document order; repeated names get the array their values are appended to.
    const object: LooseObject = {};
    for (const [name, count] of counts) object[name] = count > 1 ? [] : "";
    place(item, object);

    const seen = new Map<string, number>();
    const pending: Pending[] = children.map((child) => {
      const name = child.name as string;
      const index = seen.get(name) ?? 0;
      seen.set(name, index + 1);
      const childPath = `${path}/${pointerToken(name)}${(counts.get(name) ?? 0) > 1 ? `/${index}` : ""}`;
      return { node: child, path: childPath, depth: depth + 1, parent: object, name };
    });
    // Reversed, so children are popped (and appended to their arrays) in document order.
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i] as Pending);
  }
  return holder.value as LooseValue;
}

/** Stores a converted value: appended if its name repeats (its array was created up front), else set. */
function place({ parent, name }: Pending, value: LooseValue): void {
  const slot = parent[name];
  if (Array.isArray(slot)) slot.push(value);
  else parent[name] = value;
}

/** Turns a sax error into a parse error that keeps sax's reason and position but none of the body. */
function notWellFormed(input: string, error: unknown): CallbackError {
  // A DOCTYPE can make sax fail first (e.g. on an entity it declared); name the real cause. (A DOCTYPE
  // text inside a comment or CDATA of a broken body also lands here: it is a parse error either way.)
  if (/<!DOCTYPE/i.test(input)) return parseError("", DOCTYPE);
  const first = firstError(input, error);
  const message = first instanceof Error ? first.message : "";
  // sax: "Reason[: quoted body]\nLine: L (0-based)\nColumn: C (1-based)\nChar: <body char>".
  let reason = (message.split("\n", 1)[0] ?? "").split(":", 1)[0]?.trim().replace(/\.$/, "").toLowerCase() ?? "";
  if (!/^[a-z][a-z >-]{0,80}$/.test(reason)) reason = "malformed markup";
  const line = /\nLine: (\d+)/.exec(message)?.[1];
  const column = /\nColumn: (\d+)/.exec(message)?.[1];
  const where = line && column ? ` at line ${Number(line) + 1}, column ${Math.max(1, Number(column))}` : "";
  return parseError("", `XML is not well-formed${where}: ${reason}`);
}

/**
 * sax keeps going after an error and xml-js throws only the last one, which for a typical slip (one wrong
 * close tag) sits at the very end. Whether a prefix throws grows monotonically with its length, so a binary
 * search for the shortest throwing prefix finds the first error; the extra parsing is capped for big bodies.
 */
function firstError(input: string, error: unknown): unknown {
  let budget = 2 * input.length + 512 * 1024;
  let first = error;
  let lo = 0; // this prefix parses without error (the empty one does)
  let hi = input.length; // this prefix throws `first`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    budget -= mid;
    if (budget < 0) break;
    try {
      xml2js(input.slice(0, mid), XML_JS_OPTIONS);
      lo = mid;
    } catch (shorter) {
      hi = mid;
      first = shorter;
    }
  }
  return first;
}

function lastNonSpace(text: string): string | undefined {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i] as string;
    if (c !== " " && c !== "\t" && c !== "\r" && c !== "\n") return c;
  }
  return undefined;
}

function parseError(path: string, message: string): CallbackError {
  return new CallbackError("parse", [{ path, message }]);
}
