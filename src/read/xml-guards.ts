/**
 * What the XML readers share: the checks made on the text before a parser sees it, and every message a
 * reader may report, so each reader refuses the same bodies in the same words and none quotes the body.
 */
import { CallbackError, pointerToken } from "./errors";
import type { LooseObject } from "./xml-document";
import { charCodeAt } from "./xml-chars";

/** The messages of the XML readers' `parse` errors (the `limit` one is {@link depthError}). */
export const XmlProblem = {
  truncated: "XML body ends before the root element is closed (truncated)",
  unterminated: "XML body ends inside unterminated markup (truncated)",
  noRoot: "XML body has no root element",
  twoRoots: "XML body has more than one root element",
  outsideRoot: "XML body has content outside the root element",
  doctype: "DOCTYPE is not allowed",
  instruction: "processing instructions are not allowed (the XML declaration only at the very start)",
  declaration: "XML declaration is malformed",
  encoding: "XML declaration must declare UTF-8 encoding",
  attributes: "XML attributes are not allowed",
  name: "element name is not allowed",
  mixed: "element mixes text and child elements",
  entity: "XML body uses an entity that XML does not define",
} as const;

const DECLARATION = /^<\?xml(?=[\s?])([^?]*)\?>/;
// XML 1.0's XMLDecl after `<?xml`: VersionInfo EncodingDecl? SDDecl? S?, in that order, nothing else.
const PSEUDO_ATTRIBUTES =
  /^[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*$/;
// A parser's reason is kept only if it is plain lower-case words: a reason that could carry body text never is.
const PLAIN_REASON = /^[a-z][a-z >-]{0,80}$/;

/**
 * Checks what can be told from the text alone and returns the text a parser should read: the same length
 * and lines, with a leading UTF-8 XML declaration blanked out (so any `<?xml` a parser still sees is misplaced).
 * @throws {CallbackError} `parse`: no root element, a body not ending in `>` (cut off), or a declaration that
 * breaks XML 1.0's grammar (version 1.x, then an optional encoding, which must be UTF-8, then an optional
 * standalone yes|no, nothing else).
 */
export function prepareXml(text: string): string {
  const last = lastNonSpace(text);
  if (last === undefined) throw xmlError("", XmlProblem.noRoot);
  // Parsers report nothing when the input just stops, so a cut-off body is caught before them.
  if (last !== ">") throw xmlError("", XmlProblem.truncated);
  const match = text.startsWith("<?xml") ? DECLARATION.exec(text) : null;
  if (!match) return text;
  const declaration = PSEUDO_ATTRIBUTES.exec(match[1] ?? "");
  if (!declaration) throw xmlError("", XmlProblem.declaration);
  const encoding = declaration[1] ?? declaration[2];
  if (encoding !== undefined && encoding.toLowerCase() !== "utf-8") throw xmlError("", XmlProblem.encoding);
  return match[0].replace(/[^\n]/g, " ") + text.slice(match[0].length);
}

// What XML 1.0 does not allow anywhere: C0 controls other than tab, LF and CR, and U+FFFE, U+FFFF.
const NOT_XML_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/** True for text XML 1.0 can carry: no forbidden control character, U+FFFE, U+FFFF or lone surrogate. */
export function isXmlText(text: string): boolean {
  return !NOT_XML_CHAR.test(text) && text.isWellFormed();
}

/** True for text that is only XML whitespace (space, tab, CR, LF), which may sit between elements. */
export function isXmlSpace(text: string): boolean {
  // A loop, not a regular expression: it runs for the whitespace between every two elements.
  for (let i = 0; i < text.length; i++) {
    const c = charCodeAt(text, i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** A `parse` error of an XML reader at `path`. */
export function xmlError(path: string, message: string): CallbackError {
  return new CallbackError("parse", [{ path, message }]);
}

/** The `limit` error for an element nested deeper than `maxDepth`. */
export function depthError(path: string, maxDepth: number): CallbackError {
  return new CallbackError("limit", [{ path, message: `elements nest deeper than the limit of ${maxDepth}` }]);
}

/**
 * A `parse` error for a body the parser found not well-formed: its reason (first clause, lower case, and only
 * if it is plain words) and 1-based line and column when known, never the body's text.
 */
export function notWellFormed(parserMessage: string, line?: number, column?: number): CallbackError {
  let reason = (parserMessage.split(/[:\n]/, 1)[0] ?? "").trim().replace(/\.$/, "").toLowerCase();
  if (!PLAIN_REASON.test(reason)) reason = "malformed markup";
  const where = line !== undefined && column !== undefined ? ` at line ${line}, column ${Math.max(1, column)}` : "";
  return xmlError("", `XML is not well-formed${where}: ${reason}`);
}

function lastNonSpace(text: string): string | undefined {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = charCodeAt(text, i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return text[i];
  }
  return undefined;
}

/**
 * The JSON Pointer of the innermost of the `open` elements (the root first), computed only for an error. An
 * element's index among its same-named siblings is how many of them its parent holds already (they are stored
 * as they close); so a repeated element's index shows from its second occurrence on: a streaming reader has
 * not yet seen whether the first repeats. Both readers report it so.
 */
export function elementPath(open: readonly { name: string; children: LooseObject | undefined }[]): string {
  let path = "";
  for (let depth = 1; depth < open.length; depth++) {
    const { name } = open[depth]!;
    const before = open[depth - 1]!.children?.[name];
    const index = before === undefined ? 0 : Array.isArray(before) ? before.length : 1;
    path += `/${pointerToken(name)}${index > 0 ? `/${index}` : ""}`;
  }
  return path;
}
