/**
 * The strict XML reader: a scanner for the XML CI sends (elements, text, CDATA, comments, the five entities
 * and character references) that builds the loose value in the same pass. It reads the body with indexOf and
 * charCodeAt, checks every character, name and reference as XML 1.0 requires, and refuses everything else
 * (DOCTYPEs, processing instructions, attributes, unsafe names, mixed content, nesting past the limit) where
 * it first meets it.
 *
 * It refuses exactly the bodies the saxes reader (bench/xml-reader-saxes.ts, the test oracle) refuses, with
 * the same errors: the problem saxes would stop at, in its words, at the line and column where it would stop.
 * The common forms (names, text, tags) have fast paths; the rare ones (attributes, declarations, DOCTYPEs,
 * processing instructions) follow saxes's states one character at a time, since each ends in an error.
 */
import { pointerToken } from "./errors";
import { isSafeName } from "./safe-name";
import { XmlProblem, depthError, isXmlSpace, notWellFormed, prepareXml, xmlError } from "./xml-guards";
import type { LooseObject, LooseValue, XmlDocument, XmlReadOptions } from "./xml-document";

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

/** What {@link StrictXmlScanner.getCode} returns past the end of the body. */
const END = -1;
/** What {@link StrictXmlScanner.getCode} returns for CR or CR LF (both read as one LF). */
const CR_READ_AS_LF = -2;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const SEMICOLON = 0x3b;
const CLOSE_BRACKET = 0x5d;
const EQUALS = 0x3d;
const CR = 0x0d;
const LF = 0x0a;

// ASCII name characters of XML 1.0: 1 may start a name, 2 may only continue one.
const NAME_START = 1;
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x3a || c === 0x5f;
  const part = (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
  ASCII_NAME[c] = start ? NAME_START : part ? 2 : 0;
}

/** The first character after `lastIndex` that a text run cannot take as it is (or that ends it). */
const NOT_PLAIN_TEXT = /[^\t\n\x20-\x25\x27-\x3b\x3d-\x5c\x5e-\ud7ff]/g;

// saxes's reasons for what it refuses, kept word for word (xml-guards's notWellFormed shortens them).
const DISALLOWED = "disallowed character.";
const OUTSIDE_ROOT = "text data outside of root node.";
const UNMATCHED = "unmatched closing tag";
const ATTRIBUTE_NAME = "disallowed character in attribute name.";
const NO_VALUE = "attribute without value.";
const SLASH_IN_TAG = "forward-slash in opening tag not followed by >.";
const CLOSING_TAG = "disallowed character in closing tag.";
const PI_NAME = "disallowed character in processing instruction name.";
const DECLARATION_INCOMPLETE = "XML declaration is incomplete.";

/**
 * Element names already found safe, by a hash of their characters (computed while scanning them): the
 * internalized copy V8 keeps for the property key, so that a name seen before costs neither a slice nor a
 * lookup, and storing under it skips the string table. Kept across bodies, since CI repeats the same few dozen
 * names; a slot holds the last name that hashed to it, so the cache stays bounded.
 */
const knownNames: (string | undefined)[] = new Array(1024).fill(undefined);

/** The internalized copy of `name` (whose hash is `hash`) if it may be a key, else undefined. */
function safeName(name: string, hash: number): string | undefined {
  if (!isSafeName(name)) return undefined;
  const internalized = Object.keys({ [name]: 0 })[0] as string;
  knownNames[hash & 1023] = internalized;
  return internalized;
}

/** Leaf texts this long or longer are not shared between callbacks, only copied. */
const MAX_SHARED_TEXT = 64;
/**
 * Leaf texts seen, by a hash of their characters and length: the one copy callbacks kept in memory share (most
 * of a callback's texts repeat: states, tags, codecs, regions, buckets), as objects from JSON.parse share their
 * keys. A slot holds the last text that hashed to it, so the cache stays bounded.
 */
const knownTexts: (string | undefined)[] = new Array(4096).fill(undefined);

/**
 * `text` as a string of its own. A slice of the body of 13 characters or more is a view on the whole body in
 * V8, and so is a concatenation of slices: a callback kept in memory would keep its whole body alive with it.
 * (A shorter slice is a copy already.)
 */
function detached(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}

/** Whether `text` is in `body` at `at` (a loop, which V8 inlines: startsWith is a call, and the texts are short). */
function isAt(body: string, text: string, at: number): boolean {
  for (let k = 0; k < text.length; k++) if (body.charCodeAt(at + k) !== text.charCodeAt(k)) return false;
  return true;
}

/** XML 1.0's Char production, for a code point. */
function isXmlChar(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0xd7ff) ||
    c === LF ||
    c === CR ||
    c === 9 ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === LF || c === 9 || c === CR || c === CR_READ_AS_LF;
}

/** XML 1.0's NameStartChar, for a code point. */
function isNameStartChar(c: number): boolean {
  if (c < 128) return c >= 0 && ASCII_NAME[c] === NAME_START;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

/** XML 1.0's NameChar, for a code point. */
function isNameChar(c: number): boolean {
  if (c < 128) return c >= 0 && ASCII_NAME[c] !== 0;
  return isNameStartChar(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

/** XML 1.0's Name production, for a whole string. */
function isXmlName(text: string): boolean {
  let first = true;
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    if (!(first ? isNameStartChar(c) : isNameChar(c))) return false;
    first = false;
  }
  return !first;
}

/**
 * The 1-based line and saxes's column (code points read on the line, the last one included) after the first
 * `end` code units of `body`; CR, LF and CR LF each end a line.
 */
function lineAndColumn(body: string, end: number): [line: number, column: number] {
  let line = 1;
  let column = 0;
  for (let i = 0; i < end; i++) {
    const c = body.charCodeAt(i);
    if (c === LF || c === CR) {
      if (c === CR && body.charCodeAt(i + 1) === LF) i++;
      line++;
      column = 0;
    } else {
      column++;
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return [line, column];
}

/** One read of one body. */
class StrictXmlScanner {
  /** Where the character-at-a-time paths read next. */
  private pos = 0;
  /** Where the last character they read started. */
  private prev = 0;
  private readonly open: OpenElement[] = [];
  private current: OpenElement | undefined;
  private document: XmlDocument | undefined;
  /** The root's name has been read. */
  private sawRoot = false;
  private closedRoot = false;
  /** The markup being read is the body's first thing: only there may an XML declaration be. */
  private declarationPossible = false;
  constructor(
    private readonly body: string,
    private readonly maxDepth: number,
  ) {}

  read(): XmlDocument {
    const { body } = this;
    const first = body.charCodeAt(0) === 0xfeff ? 1 : 0;
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

  // ---- errors -------------------------------------------------------------------------------------------

  /** Refuses the body for `reason` (saxes's words), found when the first `end` code units had been read. */
  private fail(reason: string, end: number): never {
    // A DOCTYPE (in any case) can make saxes fail on what it declared or on its spelling: name the real cause.
    if (/<!DOCTYPE/i.test(this.body)) throw xmlError("", XmlProblem.doctype);
    const [line, column] = lineAndColumn(this.body, end);
    throw notWellFormed(reason, line, column);
  }

  /** Refuses a body that ends inside markup or an element, as saxes does when its input ends. */
  private failAtEnd(): never {
    if (!this.sawRoot) throw xmlError("", XmlProblem.noRoot);
    if (this.open.length > 0) throw xmlError("", XmlProblem.truncated);
    throw xmlError("", XmlProblem.unterminated);
  }

  /**
   * The JSON Pointer of the innermost open element, computed only for an error. An element's index among its
   * same-named siblings is how many of them its parent holds already (they are stored as they close), as the
   * saxes reader reports it.
   */
  private path(): string {
    const { open } = this;
    let path = "";
    for (let depth = 1; depth < open.length; depth++) {
      const { name } = open[depth] as OpenElement;
      const before = (open[depth - 1] as OpenElement).children?.[name];
      const index = before === undefined ? 0 : Array.isArray(before) ? before.length : 1;
      path += `/${pointerToken(name)}${index > 0 ? `/${index}` : ""}`;
    }
    return path;
  }

  // ---- reading one character at a time (saxes's getCode for XML 1.0) ------------------------------------

  /** The code point at `pos` (CR and CR LF as {@link CR_READ_AS_LF}), or {@link END}; refuses a non-Char. */
  private getCode(): number {
    const { body } = this;
    const i = this.pos;
    this.prev = i;
    if (i >= body.length) return END;
    const c = body.charCodeAt(i);
    if (c < 0xd800) {
      this.pos = i + 1;
      if (c >= 0x20 || c === 9 || c === LF) return c;
      if (c === CR) {
        if (body.charCodeAt(i + 1) === LF) this.pos = i + 2;
        return CR_READ_AS_LF;
      }
      this.fail(DISALLOWED, i + 1);
    }
    if (c > 0xdbff) {
      this.pos = i + 1;
      if (c < 0xe000 || c > 0xfffd) this.fail(DISALLOWED, i + 1);
      return c;
    }
    // A surrogate pair, read as saxes reads it (the following unit taken as its low half).
    const code = 0x10000 + (c - 0xd800) * 0x400 + (body.charCodeAt(i + 1) - 0xdc00);
    this.pos = i + 2;
    if (code > 0x10ffff) this.fail(DISALLOWED, i + 2);
    return code;
  }

  /** {@link getCode} with CR read as LF. */
  private getCodeNorm(): number {
    const c = this.getCode();
    return c === CR_READ_AS_LF ? LF : c;
  }

  /** Reads past XML whitespace; returns the first other code point (read) or {@link END}. */
  private skipSpaces(): number {
    for (;;) {
      const c = this.getCodeNorm();
      if (c === END || !isSpace(c)) return c;
    }
  }

  /** Checks the character at `i` and returns where the next one starts. */
  private skipChar(i: number): number {
    this.pos = i;
    this.getCode();
    return this.pos;
  }

  /** Checks every character from `from` to `to`. */
  private checkChars(from: number, to: number): void {
    const { body } = this;
    for (let i = from; i < to;) {
      const c = body.charCodeAt(i);
      i = (c >= 0x20 && c < 0xd800) || c === LF || c === 9 ? i + 1 : this.skipChar(i);
    }
  }

  /** Where the XML name starting at `i` ends (its characters checked); the body's length if it runs to the end. */
  private nameEnd(i: number): number {
    const { body } = this;
    for (;;) {
      const c = body.charCodeAt(i);
      if (c < 128) {
        if (ASCII_NAME[c] === 0) return i;
        i++;
        continue;
      }
      if (Number.isNaN(c)) return i;
      this.pos = i;
      if (!isNameChar(this.getCode())) return i;
      i = this.pos;
    }
  }

  // ---- text ---------------------------------------------------------------------------------------------

  /** Reads text before or after the root, which must be whitespace; returns where markup starts or the end. */
  private textOutsideRoot(i: number): number {
    const { body } = this;
    let text = false;
    for (;;) {
      if (i >= body.length) {
        // saxes holds a final CR back until the input ends, so it finds the text before it.
        if (text) this.fail(OUTSIDE_ROOT, body.charCodeAt(body.length - 1) === CR ? body.length - 1 : body.length);
        return i;
      }
      const c = body.charCodeAt(i);
      if (c === LT) {
        if (text) this.fail(OUTSIDE_ROOT, i + 1);
        return i;
      }
      if (c === AMP) this.fail(OUTSIDE_ROOT, i + 1);
      if (c === 0x20 || c === LF || c === 9 || c === CR) {
        i++;
        continue;
      }
      text = true;
      i = this.skipChar(i);
    }
  }

  /** Reads text inside an element up to the next markup, resolving references; returns where the markup starts. */
  private textInRoot(i: number): number {
    const { body } = this;
    const element = this.current as OpenElement;
    // Whitespace first: usually a line end and indentation before a child element's tag or after it.
    let first = i;
    let c = body.charCodeAt(i);
    while (c === 0x20 || c === LF || c === 9 || c === CR) c = body.charCodeAt(++i);
    if (c === LT) {
      if (element.children !== undefined || i === first) return i;
      // Whitespace before a child element is dropped when the child opens: drop it now.
      const next = body.charCodeAt(i + 1);
      if (next < 128 && ASCII_NAME[next] === NAME_START) return i;
    }
    // Between child elements, text is refused (where it ends); elsewhere the whitespace is part of the text.
    if (element.children === undefined) i = first;
    else first = i;
    // Text of plain characters up to the next `<`, the usual case: taken whole, hashed as it is scanned.
    let hash = 0;
    c = body.charCodeAt(i);
    while (
      c > CLOSE_BRACKET ? c < 0xd800 : c >= 0x20 ? c !== LT && c !== AMP && c !== CLOSE_BRACKET : c === LF || c === 9
    ) {
      hash = (hash * 31 + c) | 0;
      c = body.charCodeAt(++i);
      if (i - first === MAX_SHARED_TEXT) return this.longText(first, i);
    }
    if (c === LT) {
      if (i === first) return i;
      if (element.children !== undefined) throw xmlError(this.path(), XmlProblem.mixed);
      const text = this.sharedText(first, i, hash);
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
      const c = body.charCodeAt(i);
      // Plain characters first: everything from space up that is not <, &, ] or a surrogate or U+FFFE/U+FFFF.
      if (
        c > CLOSE_BRACKET ? c < 0xd800 : c >= 0x20 ? c !== LT && c !== AMP && c !== CLOSE_BRACKET : c === LF || c === 9
      ) {
        i++;
        continue;
      }
      if (c === LT) break;
      if (c === AMP) {
        text += body.slice(start, i);
        text += this.reference(i + 1);
        i = start = this.pos;
      } else if (c === CLOSE_BRACKET) {
        if (body.charCodeAt(i + 1) === CLOSE_BRACKET && body.charCodeAt(i + 2) === GT) {
          this.fail('the string "]]>" is disallowed in char data.', i + 3);
        }
        i++;
      } else if (c === CR) {
        text += `${body.slice(start, i)}\n`;
        i += body.charCodeAt(i + 1) === LF ? 2 : 1;
        start = i;
      } else {
        i = this.skipChar(i);
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

  /** The text from `from` to `to` (plain characters) as the one copy callbacks share; `hash` is its characters'. */
  private sharedText(from: number, to: number, hash: number): string {
    const { body } = this;
    const slot = (hash ^ (to - from)) & 4095;
    const known = knownTexts[slot];
    if (known !== undefined && known.length === to - from && isAt(body, known, from)) return known;
    return (knownTexts[slot] = detached(body.slice(from, to)));
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
      const c = body.charCodeAt(i);
      if (c !== 0x20 && c !== LF && c !== 9 && c !== CR) return false;
    }
    return true;
  }

  /** Resolves the reference whose name starts at `i` (after `&`); leaves `pos` after its `;`. */
  private reference(i: number): string {
    const { body } = this;
    let end = i;
    for (;;) {
      if (end >= body.length) this.failAtEnd();
      const c = body.charCodeAt(end);
      if (c === SEMICOLON) break;
      end = c >= 0x20 && c < 0xd800 ? end + 1 : this.skipChar(end);
    }
    this.pos = end + 1;
    const name = body.slice(i, end);
    switch (name) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
      case "":
        return this.fail("empty entity name.", end + 1);
    }
    if (name.charCodeAt(0) !== 0x23) {
      if (isXmlName(name)) throw xmlError("", XmlProblem.entity);
      this.fail("disallowed character in entity name.", end + 1);
    }
    let code = Number.NaN;
    if (name.charCodeAt(1) === 0x78 && /^#x[0-9a-f]+$/i.test(name)) code = parseInt(name.slice(2), 16);
    else if (/^#[0-9]+$/.test(name)) code = parseInt(name.slice(1), 10);
    if (!isXmlChar(code)) this.fail("malformed character entity.", end + 1);
    return String.fromCodePoint(code);
  }

  // ---- markup -------------------------------------------------------------------------------------------

  /** Reads the markup whose `<` is just before `i`; returns where the text after it starts. */
  private markup(i: number): number {
    const { body } = this;
    if (i >= body.length) this.failAtEnd();
    const c = body.charCodeAt(i);
    if (c < 128 && ASCII_NAME[c] === NAME_START) return this.openTag(i);
    if (c === SLASH) return this.closeTag(i + 1);
    if (c === BANG) return this.bang(i + 1);
    if (c === QUESTION) return this.instruction(i + 1);
    this.pos = i;
    if (isNameStartChar(this.getCode())) return this.openTag(i);
    return this.fail("disallowed character in tag name", this.pos);
  }

  /** Reads an open tag whose name starts at `i`. */
  private openTag(i: number): number {
    const { body } = this;
    let end = i;
    let hash = 0;
    let c = body.charCodeAt(end);
    while (c < 128 && ASCII_NAME[c] !== 0) {
      hash = (hash * 31 + c) | 0;
      c = body.charCodeAt(++end);
    }
    let key: string | undefined;
    if (c >= 128) {
      // A name with a character past ASCII: never a safe one, read for saxes's errors.
      end = this.nameEnd(end);
      c = body.charCodeAt(end);
    } else {
      const known = knownNames[hash & 1023];
      if (known !== undefined && known.length === end - i && isAt(body, known, i)) key = known;
    }
    if (end >= body.length) this.failAtEnd();
    if (c !== GT && c !== SLASH) this.skipChar(end);
    this.sawRoot = true;
    if (this.closedRoot) throw xmlError("", XmlProblem.twoRoots);
    key ??= safeName(body.slice(i, end), hash);
    if (c === GT) {
      this.openElement(key, false);
      return end + 1;
    }
    if (c === SLASH) {
      if (body.charCodeAt(end + 1) === GT) {
        this.openElement(key, false);
        this.closeElement();
        return end + 2;
      }
      this.pos = end + 1;
      if (this.getCode() === END) this.failAtEnd();
      return this.fail(SLASH_IN_TAG, this.pos);
    }
    this.pos = end;
    if (!isSpace(this.getCode())) this.fail("disallowed character in tag name.", this.pos);
    return this.attributes(key);
  }

  /**
   * Reads the attributes of an open tag, from `pos`, as saxes does (so the same malformed ones get the same
   * errors), then opens the element, which refuses them. Returns where the text after the tag starts.
   */
  private attributes(key: string | undefined): number {
    const seen = new Set<string>();
    let duplicate = false;
    let c = this.skipSpaces();
    for (;;) {
      // Between attributes (saxes's S_ATTRIB): `>`, `/>` or an attribute's name.
      if (c === END) this.failAtEnd();
      if (c === GT || c === SLASH) break;
      if (!isNameStartChar(c)) this.fail(ATTRIBUTE_NAME, this.pos);
      const nameEnd = this.nameEnd(this.prev);
      const attribute = this.body.slice(this.prev, nameEnd);
      this.pos = nameEnd;
      c = this.getCodeNorm();
      if (c === END) this.failAtEnd();
      if (isSpace(c)) {
        c = this.skipSpaces();
        if (c === END) this.failAtEnd();
        if (c !== EQUALS) this.fail(NO_VALUE, this.pos);
      } else if (c !== EQUALS) {
        this.fail(c === GT ? NO_VALUE : ATTRIBUTE_NAME, this.pos);
      }
      // The value: quoted, references resolved, no `<`.
      c = this.skipSpaces();
      if (c === END) this.failAtEnd();
      if (c !== 0x22 && c !== 0x27) this.fail("unquoted attribute value.", this.pos);
      const quote = c;
      for (c = this.getCode(); c !== quote; c = this.getCode()) {
        if (c === END) this.failAtEnd();
        if (c === AMP) this.reference(this.pos);
        else if (c === LT) this.fail(DISALLOWED, this.pos);
      }
      duplicate ||= seen.has(attribute);
      seen.add(attribute);
      // After the value (saxes's S_ATTRIB_VALUE_CLOSED): whitespace, `>` or `/>`.
      c = this.getCodeNorm();
      if (c === END) this.failAtEnd();
      if (isSpace(c)) c = this.skipSpaces();
      else if (c !== GT && c !== SLASH) {
        this.fail(isNameStartChar(c) ? "no whitespace between attributes." : ATTRIBUTE_NAME, this.pos);
      }
    }
    const selfClosing = c === SLASH;
    if (selfClosing) {
      c = this.getCode();
      if (c === END) this.failAtEnd();
      if (c !== GT) this.fail(SLASH_IN_TAG, this.pos);
    }
    if (duplicate) this.fail("duplicate attribute", this.pos);
    this.openElement(key, seen.size > 0);
    if (selfClosing) this.closeElement();
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
      if (body.charCodeAt(end) === GT && isAt(body, element.name, i)) {
        this.closeElement();
        return end + 1;
      }
    }
    const end = this.nameEnd(i);
    if (end >= body.length) this.failAtEnd();
    this.pos = end;
    let c = this.getCode();
    if (isSpace(c)) c = this.skipSpaces();
    if (c === END) this.failAtEnd();
    if (c !== GT) this.fail(CLOSING_TAG, this.pos);
    if (end === i) this.fail("weird empty close tag.", this.pos);
    if (element === undefined || element.name !== body.slice(i, end)) this.fail(UNMATCHED, this.pos);
    this.closeElement();
    return this.pos;
  }

  /** Reads what follows `<!`: a comment, CDATA or a DOCTYPE; saxes gives up on anything else after 7 characters. */
  private bang(i: number): number {
    const { body } = this;
    if (body.startsWith("--", i)) return this.comment(i + 2);
    if (body.startsWith("[CDATA[", i)) {
      if (this.open.length === 0) this.fail(OUTSIDE_ROOT, i + 7);
      return this.cdata(i + 7);
    }
    if (body.startsWith("DOCTYPE", i)) return this.doctype(i + 7);
    this.pos = i;
    let seen = "";
    for (;;) {
      const c = this.getCodeNorm();
      if (c === END) this.failAtEnd();
      seen += String.fromCodePoint(c);
      if (seen.length >= 7) this.fail("incorrect syntax.", this.pos);
    }
  }

  private comment(i: number): number {
    const { body } = this;
    const end = body.indexOf("--", i);
    this.checkChars(i, end < 0 ? body.length : end);
    if (end < 0) this.failAtEnd();
    this.pos = end + 2;
    const c = this.getCodeNorm();
    if (c === END) this.failAtEnd();
    if (c !== GT) this.fail("malformed comment.", this.pos);
    return this.pos;
  }

  private cdata(i: number): number {
    const { body } = this;
    const end = body.indexOf("]]>", i);
    this.checkChars(i, end < 0 ? body.length : end);
    if (end < 0) this.failAtEnd();
    let text = body.slice(i, end);
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    const element = this.current as OpenElement;
    if (element.children === undefined) [element.text, element.detached] = [element.text + text, false];
    else if (text !== "") throw xmlError(this.path(), XmlProblem.mixed);
    return end + 3;
  }

  /**
   * Reads a DOCTYPE (never allowed) as far as saxes would, so that one cut off before its end is, as there,
   * a body without a root element.
   */
  private doctype(i: number): never {
    if (this.sawRoot) throw xmlError("", XmlProblem.doctype);
    this.pos = i;
    let state:
      | "doctype"
      | "doctype-quote"
      | "dtd"
      | "dtd-quote"
      | "dtd-<"
      | "dtd-<!"
      | "dtd-<!-"
      | "comment"
      | "comment-"
      | "comment--"
      | "pi"
      | "pi?" = "doctype";
    let quote = 0;
    for (;;) {
      const c = this.getCodeNorm();
      if (c === END) this.failAtEnd();
      switch (state) {
        case "doctype":
          if (c === GT) throw xmlError("", XmlProblem.doctype);
          if (c === 0x5b) state = "dtd";
          else if (c === 0x22 || c === 0x27) [state, quote] = ["doctype-quote", c];
          break;
        case "doctype-quote":
          if (c === quote) state = "doctype";
          break;
        case "dtd":
          if (c === CLOSE_BRACKET) state = "doctype";
          else if (c === LT) state = "dtd-<";
          else if (c === 0x22 || c === 0x27) [state, quote] = ["dtd-quote", c];
          break;
        case "dtd-quote":
          if (c === quote) state = "dtd";
          break;
        case "dtd-<":
          state = c === BANG ? "dtd-<!" : c === QUESTION ? "pi" : "dtd";
          break;
        case "dtd-<!":
          state = c === 0x2d ? "dtd-<!-" : "dtd";
          break;
        case "dtd-<!-":
          state = c === 0x2d ? "comment" : "dtd";
          break;
        case "comment":
          if (c === 0x2d) state = "comment-";
          break;
        case "comment-":
          state = c === 0x2d ? "comment--" : "comment";
          break;
        case "comment--":
          if (c !== GT) throw xmlError("", XmlProblem.doctype);
          state = "dtd";
          break;
        case "pi":
          if (c === QUESTION) state = "pi?";
          break;
        case "pi?":
          if (c === GT) state = "dtd";
          break;
      }
    }
  }

  /** Reads a processing instruction (never allowed) as far as saxes would, for the same error. */
  private instruction(i: number): number {
    const { body } = this;
    this.pos = i;
    let c = this.getCodeNorm();
    if (c === END) this.failAtEnd();
    if (!isNameStartChar(c)) {
      this.fail(c === QUESTION || isSpace(c) ? "processing instruction without a target." : PI_NAME, this.pos);
    }
    let targetEnd: number;
    for (;;) {
      targetEnd = this.pos;
      c = this.getCodeNorm();
      if (c === END) this.failAtEnd();
      if (!isNameChar(c)) break;
    }
    if (c !== QUESTION && !isSpace(c)) this.fail(PI_NAME, this.pos);
    if (body.slice(i, targetEnd) === "xml") {
      if (!this.declarationPossible) throw xmlError(this.path(), XmlProblem.instruction);
      return this.declaration(c === QUESTION);
    }
    const end = body.indexOf("?>", c === QUESTION ? this.pos - 1 : this.pos);
    this.checkChars(this.pos, end < 0 ? body.length : end);
    if (end < 0) this.failAtEnd();
    throw xmlError(this.path(), XmlProblem.instruction);
  }

  /**
   * Reads an XML declaration that prepareXml left to the parser (one after a BOM, or a malformed one), with
   * saxes's states and errors; returns where the text after it starts.
   */
  private declaration(afterQuestion: boolean): number {
    let state: "name-start" | "name" | "eq" | "value-start" | "value" | "separator" | "ending" = afterQuestion
      ? "ending"
      : "name-start";
    let name = "";
    let value = "";
    let expects = ["version"];
    let quote = 0;
    for (;;) {
      const c: number = state === "name-start" ? this.skipSpaces() : this.getCodeNorm();
      if (c === END) this.failAtEnd();
      switch (state) {
        case "name-start":
          if (c === QUESTION) state = "ending";
          else [state, name] = ["name", String.fromCodePoint(c)];
          break;
        case "name":
          if (c === QUESTION) this.fail(DECLARATION_INCOMPLETE, this.pos);
          if (isSpace(c) || c === EQUALS) {
            if (!expects.includes(name)) {
              this.fail(
                name.length === 1 ? `expected the name ${expects[0]}.` : `expected one of ${expects.join(", ")}`,
                this.pos,
              );
            }
            state = c === EQUALS ? "value-start" : "eq";
          } else name += String.fromCodePoint(c);
          break;
        case "eq":
          if (c === QUESTION) this.fail(DECLARATION_INCOMPLETE, this.pos);
          if (isSpace(c)) break;
          if (c !== EQUALS) this.fail("value required.", this.pos);
          state = "value-start";
          break;
        case "value-start":
          if (c === QUESTION) this.fail(DECLARATION_INCOMPLETE, this.pos);
          if (isSpace(c)) break;
          if (c !== 0x22 && c !== 0x27) this.fail("value must be quoted.", this.pos);
          [state, quote, value] = ["value", c, ""];
          break;
        case "value":
          if (c === QUESTION) this.fail(DECLARATION_INCOMPLETE, this.pos);
          if (c !== quote) {
            value += String.fromCodePoint(c);
            break;
          }
          if (name === "version") {
            expects = ["encoding", "standalone"];
            if (!/^1\.[0-9]+$/.test(value)) this.fail("version number must match /^1\\.[0-9]+$/.", this.pos);
          } else if (name === "encoding") {
            if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value)) {
              this.fail("encoding value must match /^[A-Za-z0-9][A-Za-z0-9._-]*$/.", this.pos);
            }
            expects = ["standalone"];
          } else {
            if (value !== "yes" && value !== "no") this.fail('standalone value must match "yes" or "no".', this.pos);
            expects = [];
          }
          [state, name] = ["separator", ""];
          break;
        case "separator":
          if (c === QUESTION) state = "ending";
          else if (!isSpace(c)) this.fail("whitespace required.", this.pos);
          else state = "name-start";
          break;
        case "ending":
          if (c !== GT) this.fail("The character ? is disallowed anywhere in XML declarations.", this.pos);
          if (name !== "version" && expects.includes("version")) {
            this.fail("XML declaration must contain a version.", this.pos);
          }
          return this.pos;
      }
    }
  }
}
