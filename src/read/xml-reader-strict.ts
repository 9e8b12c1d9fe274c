/**
 * The strict XML reader: a scanner for the XML CI sends (elements, text, CDATA, comments, the five entities
 * and character references) that builds the loose value in the same pass. It reads the body with indexOf and
 * charCodeAt, checks every character, name and reference as XML 1.0 requires, and refuses everything else
 * (DOCTYPEs, processing instructions, attributes, unsafe names, mixed content, nesting past the limit) where
 * it first meets it.
 *
 * It refuses exactly the bodies the saxes reader (bench/xml-reader-saxes.ts, the test oracle) refuses, with
 * the same errors: the problem saxes would stop at, in its words, at the line and column where it would stop.
 * This file holds the common forms, text and tags, on fast paths, and the tree they build. Beside it: the
 * characters and names of XML (xml-chars.ts), saxes's one-character-at-a-time reading and its error positions
 * (xml-cursor.ts), the shared names and texts (xml-shared-strings.ts), references (xml-references.ts), and the
 * rare markup, which CI never sends and which is read with saxes's states for saxes's errors: attributes
 * (xml-attributes.ts), DOCTYPEs (xml-doctype.ts), processing instructions and the XML declaration
 * (xml-instructions.ts).
 */
import { SLASH_IN_TAG, readAttributes } from "./xml-attributes";
import { charCodeAt, Code, isAsciiNameChar, isNameStartChar, startsAsciiName } from "./xml-chars";
import {
  END,
  type XmlCursor,
  checkChars,
  fail,
  getCode,
  getCodeNorm,
  isSpace,
  nameEnd,
  skipChar,
  skipSpaces,
} from "./xml-cursor";
import { readDoctype } from "./xml-doctype";
import type { LooseObject, LooseValue, XmlDocument, XmlReadOptions } from "./xml-document";
import { XmlProblem, depthError, elementPath, isXmlSpace, prepareXml, xmlError } from "./xml-guards";
import { readInstruction } from "./xml-instructions";
import { readReference } from "./xml-references";
import { MAX_SHARED_TEXT, detached, isAt, knownName, safeName, sharedText } from "./xml-shared-strings";

/** Reads an XML body with the strict scanner; the contract is `XmlReader`'s, in xml-document.ts. */
export function readXmlStrictly(text: string, options: XmlReadOptions): XmlDocument {
  return new StrictXmlScanner(prepareXml(text), options.maxDepth).read();
}

/** An element being read. */
interface OpenElement {
  name: string;
  /** Its child elements so far (each stored when it closes), once it has one. */
  children: LooseObject | undefined;
  /** Its text so far (text and CDATA, references resolved, line ends read as LF). */
  text: string;
  /** Whether `text` is a string of its own (no view on the body). */
  detached: boolean;
}

/** The first character after `lastIndex` that a text run cannot take as it is (or that ends it). */
const NOT_PLAIN_TEXT = /[^\t\n\x20-\x25\x27-\x3b\x3d-\x5c\x5e-\ud7ff]/g;

// saxes's reasons for what it refuses, kept word for word (xml-guards's notWellFormed shortens them).
const OUTSIDE_ROOT = "text data outside of root node.";
const UNMATCHED = "unmatched closing tag";
const CLOSING_TAG = "disallowed character in closing tag.";

/** One read of one body. */
class StrictXmlScanner implements XmlCursor {
  pos = 0;
  prev = 0;
  private readonly open: OpenElement[] = [];
  private current: OpenElement | undefined;
  private document: XmlDocument | undefined;
  /** The root's name has been read. */
  private sawRoot = false;
  private closedRoot = false;
  /** The markup being read is the body's first thing: only there may an XML declaration be. */
  private declarationPossible = false;
  constructor(
    readonly body: string,
    private readonly maxDepth: number,
  ) {}

  read(): XmlDocument {
    const { body } = this;
    const first = charCodeAt(body, 0) === 0xfeff ? 1 : 0;
    let i = first;
    for (;;) {
      i = this.open.length === 0 ? this.textOutsideRoot(i) : this.textInRoot(i);
      if (i >= body.length) break;
      this.declarationPossible = i === first;
      i = this.markup(i + 1);
    }
    if (!this.sawRoot || this.document === undefined) throw xmlError("", XmlProblem.noRoot);
    return this.document;
  }

  // ---- where the reader is, for errors ------------------------------------------------------------------

  /** Refuses a body that ends inside markup or an element, as saxes does when its input ends. */
  failAtEnd(): never {
    if (!this.sawRoot) throw xmlError("", XmlProblem.noRoot);
    if (this.open.length > 0) throw xmlError("", XmlProblem.truncated);
    throw xmlError("", XmlProblem.unterminated);
  }

  /** The JSON Pointer of the innermost open element (see {@link elementPath}), computed only for an error. */
  path(): string {
    return elementPath(this.open);
  }

  // ---- text ---------------------------------------------------------------------------------------------

  /** Reads text before or after the root, which must be whitespace; returns where markup starts or the end. */
  private textOutsideRoot(i: number): number {
    const { body } = this;
    let text = false;
    for (;;) {
      if (i >= body.length) {
        // saxes holds a final CR back until the input ends, so it finds the text before it.
        if (text)
          fail(this, OUTSIDE_ROOT, charCodeAt(body, body.length - 1) === Code.CR ? body.length - 1 : body.length);
        return i;
      }
      const c = charCodeAt(body, i);
      if (c === Code.LT) {
        if (text) fail(this, OUTSIDE_ROOT, i + 1);
        return i;
      }
      if (c === Code.AMP) fail(this, OUTSIDE_ROOT, i + 1);
      if (c === 0x20 || c === Code.LF || c === 9 || c === Code.CR) {
        i++;
        continue;
      }
      text = true;
      i = skipChar(this, i);
    }
  }

  /** Reads text inside an element up to the next markup, resolving references; returns where the markup starts. */
  private textInRoot(i: number): number {
    const { body } = this;
    const element = this.current as OpenElement;
    // Whitespace first: usually a line end and indentation before a child element's tag or after it.
    let first = i;
    let c = charCodeAt(body, i);
    while (c === 0x20 || c === Code.LF || c === 9 || c === Code.CR) c = charCodeAt(body, ++i);
    if (c === Code.LT) {
      if (element.children !== undefined || i === first) return i;
      // Whitespace before a child element is dropped when the child opens: drop it now.
      const next = charCodeAt(body, i + 1);
      if (startsAsciiName(next)) return i;
    }
    // Between child elements, text is refused (where it ends); elsewhere the whitespace is part of the text.
    if (element.children === undefined) i = first;
    else first = i;
    // Text of plain characters up to the next `<`, the usual case: taken whole, hashed as it is scanned.
    let hash = 0;
    c = charCodeAt(body, i);
    while (
      c > Code.CLOSE_BRACKET
        ? c < 0xd800
        : c >= 0x20
          ? c !== Code.LT && c !== Code.AMP && c !== Code.CLOSE_BRACKET
          : c === Code.LF || c === 9
    ) {
      hash = (hash * 31 + c) | 0;
      c = charCodeAt(body, ++i);
      if (i - first === MAX_SHARED_TEXT) return this.longText(first, i);
    }
    if (c === Code.LT) {
      if (i === first) return i;
      if (element.children !== undefined) throw xmlError(this.path(), XmlProblem.mixed);
      const text = sharedText(body, first, i, hash);
      if (element.text === "") element.text = text;
      else [element.text, element.detached] = [element.text + text, false];
      return i;
    }
    return this.textInRootSlowly(first);
  }

  /** Reads text inside an element from `i` one character at a time (references, CR, `]]>`, characters XML forbids). */
  private textInRootSlowly(i: number): number {
    const { body } = this;
    const length = body.length;
    const element = this.current as OpenElement;
    let start = i;
    let text = "";
    for (;;) {
      if (i >= length) this.failAtEnd();
      const c = charCodeAt(body, i);
      // Plain characters first: everything from space up that is not <, &, ] or a surrogate or U+FFFE/U+FFFF.
      if (
        c > Code.CLOSE_BRACKET
          ? c < 0xd800
          : c >= 0x20
            ? c !== Code.LT && c !== Code.AMP && c !== Code.CLOSE_BRACKET
            : c === Code.LF || c === 9
      ) {
        i++;
        continue;
      }
      if (c === Code.LT) break;
      if (c === Code.AMP) {
        text += body.slice(start, i);
        text += readReference(this, i + 1);
        i = start = this.pos;
      } else if (c === Code.CLOSE_BRACKET) {
        if (charCodeAt(body, i + 1) === Code.CLOSE_BRACKET && charCodeAt(body, i + 2) === Code.GT) {
          fail(this, 'the string "]]>" is disallowed in char data.', i + 3);
        }
        i++;
      } else if (c === Code.CR) {
        text += `${body.slice(start, i)}\n`;
        i += charCodeAt(body, i + 1) === Code.LF ? 2 : 1;
        start = i;
      } else {
        i = skipChar(this, i);
      }
    }
    if (element.children !== undefined) {
      if (text === "" ? !this.isSpaceBetween(start, i) : !isXmlSpace(text + body.slice(start, i))) {
        throw xmlError(this.path(), XmlProblem.mixed);
      }
      return i;
    }
    element.text += text + body.slice(start, i);
    element.detached = false;
    return i;
  }

  /**
   * Reads a text run longer than {@link MAX_SHARED_TEXT} from `from` (plain up to `i`): one that has nothing to
   * resolve or refuse in it up to the next `<` is found with indexOf and a native check of its characters.
   */
  private longText(from: number, i: number): number {
    const { body } = this;
    const element = this.current as OpenElement;
    const end = body.indexOf("<", i);
    if (end < 0) return this.textInRootSlowly(from);
    NOT_PLAIN_TEXT.lastIndex = i;
    NOT_PLAIN_TEXT.test(body); // always true: `<` is not plain
    if (NOT_PLAIN_TEXT.lastIndex - 1 < end) return this.textInRootSlowly(from);
    if (element.children !== undefined) throw xmlError(this.path(), XmlProblem.mixed);
    element.text += body.slice(from, end);
    element.detached = false;
    return end;
  }

  private isSpaceBetween(from: number, to: number): boolean {
    const { body } = this;
    for (let i = from; i < to; i++) {
      const c = charCodeAt(body, i);
      if (c !== 0x20 && c !== Code.LF && c !== 9 && c !== Code.CR) return false;
    }
    return true;
  }

  // ---- markup -------------------------------------------------------------------------------------------

  /** Reads the markup whose `<` is just before `i`; returns where the text after it starts. */
  private markup(i: number): number {
    const { body } = this;
    if (i >= body.length) this.failAtEnd();
    const c = charCodeAt(body, i);
    if (startsAsciiName(c)) return this.openTag(i);
    if (c === Code.SLASH) return this.closeTag(i + 1);
    if (c === Code.BANG) return this.bang(i + 1);
    if (c === Code.QUESTION) return readInstruction(this, i + 1, this.declarationPossible);
    this.pos = i;
    if (isNameStartChar(getCode(this))) return this.openTag(i);
    return fail(this, "disallowed character in tag name", this.pos);
  }

  /** Reads an open tag whose name starts at `i`. */
  private openTag(i: number): number {
    const { body } = this;
    let end = i;
    let hash = 0;
    let c = charCodeAt(body, end);
    while (isAsciiNameChar(c)) {
      hash = (hash * 31 + c) | 0;
      c = charCodeAt(body, ++end);
    }
    let key: string | undefined;
    if (c >= 128) {
      // A name with a character past ASCII: never a safe one, read for saxes's errors.
      end = nameEnd(this, end);
      c = charCodeAt(body, end);
    } else {
      key = knownName(body, i, end, hash);
    }
    if (end >= body.length) this.failAtEnd();
    if (c !== Code.GT && c !== Code.SLASH) skipChar(this, end);
    this.sawRoot = true;
    if (this.closedRoot) throw xmlError("", XmlProblem.twoRoots);
    key ??= safeName(body.slice(i, end), hash);
    if (c === Code.GT) {
      this.openElement(key, false);
      return end + 1;
    }
    if (c === Code.SLASH) {
      if (charCodeAt(body, end + 1) === Code.GT) {
        this.openElement(key, false);
        this.closeElement();
        return end + 2;
      }
      this.pos = end + 1;
      if (getCode(this) === END) this.failAtEnd();
      return fail(this, SLASH_IN_TAG, this.pos);
    }
    this.pos = end;
    if (!isSpace(getCode(this))) fail(this, "disallowed character in tag name.", this.pos);
    const tag = readAttributes(this);
    this.openElement(key, tag.attributes > 0);
    if (tag.selfClosing) this.closeElement();
    return this.pos;
  }

  /**
   * Opens an element (`key`: its name's internalized copy, or undefined for a name that may not be a key), with
   * the checks the saxes reader makes when saxes reports an open tag.
   */
  private openElement(key: string | undefined, attributes: boolean): void {
    const parent = this.current;
    if (parent !== undefined && parent.children === undefined) {
      if (parent.text !== "" && !isXmlSpace(parent.text)) throw xmlError(this.path(), XmlProblem.mixed);
      parent.children = {};
      parent.text = "";
    }
    if (key === undefined) throw xmlError(this.path(), XmlProblem.name);
    const element: OpenElement = { name: key, children: undefined, text: "", detached: true };
    this.open.push(element);
    this.current = element;
    if (this.open.length > this.maxDepth) throw depthError(this.path(), this.maxDepth);
    if (attributes) throw xmlError(this.path(), XmlProblem.attributes);
  }

  /** Closes the innermost element and stores its value in its parent (an array from a name's second time on). */
  private closeElement(): void {
    const { open } = this;
    const element = open.pop() as OpenElement;
    const value: LooseValue = element.children ?? (element.detached ? element.text : detached(element.text));
    const parent = open[open.length - 1];
    this.current = parent;
    if (parent === undefined) {
      this.document = { root: element.name, value };
      this.closedRoot = true;
      return;
    }
    const siblings = parent.children as LooseObject;
    const before = siblings[element.name];
    if (before === undefined) siblings[element.name] = value;
    else if (Array.isArray(before)) before.push(value);
    else siblings[element.name] = [before, value];
  }

  /** Reads a close tag whose name starts at `i`. */
  private closeTag(i: number): number {
    const { body } = this;
    const element = this.current;
    if (element !== undefined) {
      const end = i + element.name.length;
      if (charCodeAt(body, end) === Code.GT && isAt(body, element.name, i)) {
        this.closeElement();
        return end + 1;
      }
    }
    const end = nameEnd(this, i);
    if (end >= body.length) this.failAtEnd();
    this.pos = end;
    let c = getCode(this);
    if (isSpace(c)) c = skipSpaces(this);
    if (c === END) this.failAtEnd();
    if (c !== Code.GT) fail(this, CLOSING_TAG, this.pos);
    if (end === i) fail(this, "weird empty close tag.", this.pos);
    if (element === undefined || element.name !== body.slice(i, end)) fail(this, UNMATCHED, this.pos);
    this.closeElement();
    return this.pos;
  }

  /** Reads what follows `<!`: a comment, CDATA or a DOCTYPE; saxes gives up on anything else after 7 characters. */
  private bang(i: number): number {
    const { body } = this;
    if (body.startsWith("--", i)) return this.comment(i + 2);
    if (body.startsWith("[CDATA[", i)) {
      if (this.open.length === 0) fail(this, OUTSIDE_ROOT, i + 7);
      return this.cdata(i + 7);
    }
    if (body.startsWith("DOCTYPE", i)) return readDoctype(this, i + 7, this.sawRoot);
    this.pos = i;
    let seen = "";
    for (;;) {
      const c = getCodeNorm(this);
      if (c === END) this.failAtEnd();
      seen += String.fromCodePoint(c);
      if (seen.length >= 7) fail(this, "incorrect syntax.", this.pos);
    }
  }

  private comment(i: number): number {
    const { body } = this;
    const end = body.indexOf("--", i);
    checkChars(this, i, end < 0 ? body.length : end);
    if (end < 0) this.failAtEnd();
    this.pos = end + 2;
    const c = getCodeNorm(this);
    if (c === END) this.failAtEnd();
    if (c !== Code.GT) fail(this, "malformed comment.", this.pos);
    return this.pos;
  }

  private cdata(i: number): number {
    const { body } = this;
    const end = body.indexOf("]]>", i);
    checkChars(this, i, end < 0 ? body.length : end);
    if (end < 0) this.failAtEnd();
    let text = body.slice(i, end);
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    const element = this.current as OpenElement;
    if (element.children === undefined) [element.text, element.detached] = [element.text + text, false];
    else if (text !== "") throw xmlError(this.path(), XmlProblem.mixed);
    return end + 3;
  }
}
