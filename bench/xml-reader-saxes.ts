/**
 * The XML reader built on saxes, a strict streaming XML 1.0 parser. saxes checks well-formedness (every
 * character, name, reference and tag) and stops at the first error; this module builds the loose value as
 * the events arrive and refuses, where it first meets them, what callbacks never contain: DOCTYPEs,
 * processing instructions, attributes, unsafe names, mixed content, nesting past the limit.
 */
import { SaxesParser, type SaxesOptions } from "saxes";
import { CallbackError } from "../src/read/errors";
import { isSafeName } from "../src/read/safe-name";
import { XmlProblem, depthError, elementPath, isXmlSpace, notWellFormed, prepareXml, xmlError } from "../src/read/xml-guards";
import type { LooseObject, LooseValue, XmlDocument, XmlReadOptions } from "../src/read/xml-reader";

/** An element being read. */
interface OpenElement {
  name: string;
  /** Its child elements so far (each stored when it closes), once it has one. */
  children: LooseObject | undefined;
  /** Its text so far (text and CDATA, references resolved). */
  text: string;
}

// Without position tracking saxes runs faster; an error is located by reading the body again with it.
const FAST: SaxesOptions = { xmlns: false, position: false, forceXMLVersion: true, defaultXMLVersion: "1.0" };
const LOCATING: SaxesOptions = { ...FAST, position: true };

// saxes reasons that have a message of our own and need no position; any other is "not well-formed". A
// misplaced declaration is placed at the element it is in, the others concern the whole document.
const KNOWN_REASONS: [prefix: string, message: string, at: "document" | "element"][] = [
  ["unclosed tag", XmlProblem.truncated, "document"],
  ["unexpected end", XmlProblem.unterminated, "document"],
  ["document must contain a root element", XmlProblem.noRoot, "document"],
  ["documents may contain only one root", XmlProblem.twoRoots, "document"],
  ["undefined entity", XmlProblem.entity, "document"],
  ["inappropriately located doctype", XmlProblem.doctype, "document"],
  ["an XML declaration must be at the start", XmlProblem.instruction, "element"],
  ["the XML declaration must appear at the start", XmlProblem.instruction, "element"],
  ["processing instructions are not allowed before root", XmlProblem.instruction, "element"],
];

/** An error saxes raised, with the path of the element open at the time. */
class SaxesFailure {
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {}
}

/** Reads an XML body with saxes; the contract is `XmlReader`'s, in xml-reader.ts. */
export function readXmlWithSaxes(text: string, options: XmlReadOptions): XmlDocument {
  const body = prepareXml(text);
  try {
    return read(body, options.maxDepth, FAST);
  } catch (error) {
    if (error instanceof SaxesFailure) explain(body, options.maxDepth, error);
    throw error;
  }
}

/** Turns a saxes error into ours: a message of our own for the reasons that have one, else the position and reason. */
function explain(body: string, maxDepth: number, { reason, path }: SaxesFailure): never {
  for (const [prefix, message, at] of KNOWN_REASONS) {
    if (reason.startsWith(prefix)) throw xmlError(at === "element" ? path : "", message);
  }
  // A DOCTYPE (in any case) can make saxes fail on what it declared or on its spelling: name the real cause.
  if (/<!DOCTYPE/i.test(body)) throw xmlError("", XmlProblem.doctype);
  try {
    read(body, maxDepth, LOCATING);
  } catch (located) {
    // With position tracking saxes prefixes "line:column: " (line 1-based; column 0-based, after the character read).
    const match = located instanceof SaxesFailure ? /^(\d+):(\d+): ([^]*)$/.exec(located.reason) : null;
    if (match) throw notWellFormed(reworded(match[3] as string), Number(match[1]), Number(match[2]));
  }
  throw notWellFormed(reworded(reason));
}

/** saxes says "unexpected close tag" for a closing tag that does not match the open element; say it plainly. */
function reworded(reason: string): string {
  return reason.startsWith("unexpected close tag") ? "unmatched closing tag" : reason;
}

/** One pass of saxes over the body, building the loose value; throws a SaxesFailure or a CallbackError. */
function read(body: string, maxDepth: number, options: SaxesOptions): XmlDocument {
  const parser = new SaxesParser(options);
  const open: OpenElement[] = [];
  let current: OpenElement | undefined;
  let document: XmlDocument | undefined;

  // saxes reports an element's attributes before the element itself: any at all is refused when it opens.
  let attributes = false;
  parser.on("attribute", () => {
    attributes = true;
  });

  parser.on("opentag", ({ name }) => {
    const parent = current;
    if (parent !== undefined && parent.children === undefined) {
      if (parent.text !== "" && !isXmlSpace(parent.text)) throw xmlError(elementPath(open), XmlProblem.mixed);
      parent.children = {};
      parent.text = "";
    }
    if (!isSafeName(name)) throw xmlError(elementPath(open), XmlProblem.name);
    current = { name, children: undefined, text: "" };
    open.push(current);
    if (open.length > maxDepth) throw depthError(elementPath(open), maxDepth);
    if (attributes) throw xmlError(elementPath(open), XmlProblem.attributes);
  });

  parser.on("text", (text) => {
    // saxes itself refuses non-blank text outside the root; blank text there is nothing.
    if (current === undefined) return;
    if (current.children === undefined) current.text += text;
    else if (!isXmlSpace(text)) throw xmlError(elementPath(open), XmlProblem.mixed);
  });

  parser.on("cdata", (text) => {
    if (current === undefined) throw xmlError("", XmlProblem.outsideRoot);
    if (current.children === undefined) current.text += text;
    else if (text !== "") throw xmlError(elementPath(open), XmlProblem.mixed);
  });

  parser.on("closetag", () => {
    const element = open.pop() as OpenElement;
    const value: LooseValue = element.children ?? detached(element.text);
    current = open[open.length - 1];
    if (current === undefined) {
      document = { root: element.name, value };
      return;
    }
    // A repeated name becomes an array on its second occurrence; single elements are never arrays, so an
    // array here is always one made for repetition.
    const siblings = current.children as LooseObject;
    const before = siblings[element.name];
    if (before === undefined) siblings[element.name] = value;
    else if (Array.isArray(before)) before.push(value);
    else siblings[element.name] = [before, value];
  });

  parser.on("processinginstruction", () => {
    throw xmlError(elementPath(open), XmlProblem.instruction);
  });
  parser.on("doctype", () => {
    throw xmlError("", XmlProblem.doctype);
  });

  try {
    parser.write(body).close();
  } catch (error) {
    if (error instanceof CallbackError) throw error;
    throw new SaxesFailure(error instanceof Error ? error.message : "", elementPath(open));
  }
  if (document === undefined) throw xmlError("", XmlProblem.noRoot);
  return document;
}

/**
 * `text` as a string of its own. saxes hands out slices of the body, and V8 keeps a slice of 13 characters or
 * more as a view on the whole body: a callback kept in memory would keep its whole body alive with it.
 */
function detached(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}

