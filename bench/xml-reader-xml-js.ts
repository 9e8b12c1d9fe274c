/**
 * The XML reader built on xml-js (and the sax parser under it): the package's first reader, kept so the
 * benchmark can compare it with the saxes one, and tested with the same suite. It parses the whole body into
 * xml-js's element tree first, then converts it; everything xml-js and sax let through silently is caught here.
 */
import { randomUUID } from "node:crypto";
import { xml2js } from "xml-js";
import { CallbackError, pointerToken } from "../src/read/errors";
import { isSafeName } from "../src/read/safe-name";
import { XmlProblem, depthError, isXmlSpace, isXmlText, notWellFormed, prepareXml, xmlError } from "../src/read/xml-guards";
import type { LooseObject, LooseValue, XmlDocument, XmlReadOptions } from "../src/read/xml-reader";

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

// Skips comments and CDATA (where `&`, `]]>` and `<` are literal); else matches a character reference, an
// `&` that starts no XML reference (group 3), a `]]>` in text (group 4), whitespace after `<` or `</`, or a
// `<!` that starts no comment, CDATA or DOCTYPE (group 5).
const REFERENCES =
  /<!--[^]*?-->|<!\[CDATA\[[^]*?\]\]>|&#(?:([0-9]+)|x([0-9A-Fa-f]+));|(&)(?!(?:amp|lt|gt|quot|apos);)|(\]\]>)|(<\/?\s|<!(?!--|\[CDATA\[|[Dd][Oo][Cc][Tt][Yy][Pp][Ee]))/g;

/** Reads an XML body with xml-js; the contract is `XmlReader`'s, in xml-reader.ts. */
export function readXmlWithXmlJs(text: string, options: XmlReadOptions): XmlDocument {
  // XML reads every CR LF and lone CR as LF (XML 1.0, 2.11); sax does not, so it is done here.
  const body = prepareXml(text).replace(/\r\n?/g, "\n");
  // sax also drops the error for input ending inside a comment, PI or CDATA after the root. So we append
  // a comment the body cannot predict: it comes back as the last top-level node only if the body was complete.
  const sentinel = randomUUID();
  const input = `${body}<!--${sentinel}-->`;
  let document: XmlNode;
  try {
    document = xml2js(input, XML_JS_OPTIONS) as XmlNode;
  } catch (error) {
    throw explain(input, error);
  }
  const root = findRoot(document, sentinel);
  const value = toLoose(root, options.maxDepth);
  const refused = missedBySax(body);
  if (refused) throw refused;
  return { root: root.name as string, value };
}

/**
 * What sax lets through: characters XML does not allow, raw or as references (`&#0;`), entities XML does
 * not define (sax expands HTML ones such as `&nbsp;`, because xml-js sets strictEntities too late),
 * `]]>` in text, tags with whitespace before their name (`</ A>`), and SGML declarations (`<!A>`).
 */
function missedBySax(body: string): CallbackError | undefined {
  if (!isXmlText(body)) return notWellFormed("disallowed character");
  for (const [reference, decimal, hex, bareAmpersand, cdataEnd, badMarkup] of body.matchAll(REFERENCES)) {
    if (bareAmpersand) return xmlError("", XmlProblem.entity);
    if (cdataEnd || badMarkup) return notWellFormed("malformed markup");
    if (reference.startsWith("&#") && !isXmlChar(decimal ? Number(decimal) : parseInt(hex ?? "", 16))) {
      return notWellFormed("malformed character entity");
    }
  }
  return undefined;
}

/** XML 1.0's Char production. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Checks the top level (one root, nothing but whitespace and comments beside it, complete) and returns the root. */
function findRoot(document: XmlNode, sentinel: string): XmlNode {
  if (Object.hasOwn(document, "declaration")) throw xmlError("", XmlProblem.instruction);
  const nodes = document.elements ?? [];
  let root: XmlNode | undefined;
  for (const node of nodes) {
    if (node.type === "element") {
      if (root) throw xmlError("", XmlProblem.twoRoots);
      root = node;
    } else if (node.type === "doctype") {
      throw xmlError("", XmlProblem.doctype);
    } else if (node.type === "instruction") {
      throw xmlError("", XmlProblem.instruction);
    } else if (node.type !== "comment" && !(node.type === "text" && isXmlSpace(node.text ?? ""))) {
      throw xmlError("", XmlProblem.outsideRoot);
    }
  }
  if (!root) throw xmlError("", XmlProblem.noRoot);
  // xml-js deletes `parent` when an element closes; one left over means the body stopped inside it.
  if (Object.hasOwn(root, "parent")) throw xmlError("", XmlProblem.truncated);
  const tail = nodes[nodes.length - 1];
  if (tail?.type !== "comment" || tail.comment !== sentinel) throw xmlError("", XmlProblem.unterminated);
  if (typeof root.name !== "string" || !isSafeName(root.name)) throw xmlError("", XmlProblem.name);
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
    if (depth > maxDepth) throw depthError(path, maxDepth);
    if (Object.hasOwn(node, "parent")) throw xmlError(path, XmlProblem.truncated);
    if (node.attributes) throw xmlError(path, XmlProblem.attributes);
    if (Object.hasOwn(node, "declaration")) throw xmlError(path, XmlProblem.instruction);

    let text = "";
    const children: XmlNode[] = [];
    for (const child of node.elements ?? []) {
      if (child.type === "element") children.push(child);
      else if (child.type === "text") text += child.text ?? "";
      else if (child.type === "cdata") text += child.cdata ?? "";
      else if (child.type === "instruction") throw xmlError(path, XmlProblem.instruction);
      else if (child.type !== "comment")
        throw xmlError(path, child.type === "doctype" ? XmlProblem.doctype : "unexpected XML markup");
    }
    if (children.length === 0) {
      place(item, text);
      continue;
    }
    if (!isXmlSpace(text)) throw xmlError(path, XmlProblem.mixed);

    const counts = new Map<string, number>();
    for (const child of children) {
      if (typeof child.name !== "string" || !isSafeName(child.name)) throw xmlError(path, XmlProblem.name);
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
function explain(input: string, error: unknown): CallbackError {
  // A DOCTYPE can make sax fail first (e.g. on an entity it declared); name the real cause. (A DOCTYPE
  // text inside a comment or CDATA of a broken body also lands here: it is a parse error either way.)
  if (/<!DOCTYPE/i.test(input)) return xmlError("", XmlProblem.doctype);
  const refused = missedBySax(input);
  if (refused) return refused;
  const first = firstError(input, error);
  const message = first instanceof Error ? first.message : "";
  // sax: "Reason[: quoted body]\nLine: L (0-based)\nColumn: C (1-based)\nChar: <body char>".
  const line = /\nLine: (\d+)/.exec(message)?.[1];
  const column = /\nColumn: (\d+)/.exec(message)?.[1];
  return line && column ? notWellFormed(message, Number(line) + 1, Number(column)) : notWellFormed(message);
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
