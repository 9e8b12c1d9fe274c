/**
 * Reading a body one character at a time, as saxes does, and refusing it where saxes would stop. The strict
 * reader takes its fast paths with indexOf and charCodeAt; everything else (characters past ASCII, the rare
 * markup, every error) goes through this cursor, so that a body is refused at the same line and column as by
 * saxes (bench/xml-reader-saxes.ts, the test oracle).
 */
import { charCodeAt, Code, isAsciiNameChar, isNameChar } from "./xml-chars";
import { XmlProblem, notWellFormed, xmlError } from "./xml-guards";

/** What {@link getCode} returns past the end of the body. */
export const END = -1;
/** What {@link getCode} returns for CR or CR LF (both read as one LF). */
export const CR_READ_AS_LF = -2;

/** saxes's reason for a character XML forbids, word for word (xml-guards's notWellFormed shortens it). */
export const DISALLOWED = "disallowed character.";

/** XML's whitespace, for a code point from {@link getCode}. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === Code.LF || c === 9 || c === Code.CR || c === CR_READ_AS_LF;
}

/**
 * The 1-based line and saxes's column (code points read on the line, the last one included) after the first
 * `end` code units of `body`; CR, LF and CR LF each end a line.
 */
function lineAndColumn(body: string, end: number): [line: number, column: number] {
  let line = 1;
  let column = 0;
  for (let i = 0; i < end; i++) {
    const c = charCodeAt(body, i);
    if (c === Code.LF || c === Code.CR) {
      if (c === Code.CR && charCodeAt(body, i + 1) === Code.LF) i++;
      line++;
      column = 0;
    } else {
      column++;
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return [line, column];
}

/**
 * A read in progress, as the character-at-a-time functions below see it: the body, where they read next, and
 * what a body cut off means and where in the tree an error is, which are the reader's to say. An interface the
 * reader's one class implements rather than a base class of it: a derived class costs each read more to
 * construct, which showed on small bodies (docs/decisions/0006-strict-xml-reader.md).
 */
export interface XmlCursor {
  readonly body: string;
  /** Where the character-at-a-time paths read next. */
  pos: number;
  /** Where the last character they read started. */
  prev: number;
  /** Refuses a body that ends inside markup or an element, as saxes does when its input ends. */
  failAtEnd(): never;
  /** The JSON Pointer of the innermost open element, for an error. */
  path(): string;
}

/** Refuses the body for `reason` (saxes's words), found when the first `end` code units had been read. */
export function fail(cursor: XmlCursor, reason: string, end: number): never {
  // A DOCTYPE (in any case) can make saxes fail on what it declared or on its spelling: name the real cause.
  if (/<!DOCTYPE/i.test(cursor.body)) throw xmlError("", XmlProblem.doctype);
  const [line, column] = lineAndColumn(cursor.body, end);
  throw notWellFormed(reason, line, column);
}

/** The code point at `pos` (CR and CR LF as {@link CR_READ_AS_LF}), or {@link END}; refuses a non-Char. */
export function getCode(cursor: XmlCursor): number {
  const { body } = cursor;
  const i = cursor.pos;
  cursor.prev = i;
  if (i >= body.length) return END;
  const c = charCodeAt(body, i);
  if (c < 0xd800) {
    cursor.pos = i + 1;
    if (c >= 0x20 || c === 9 || c === Code.LF) return c;
    if (c === Code.CR) {
      if (charCodeAt(body, i + 1) === Code.LF) cursor.pos = i + 2;
      return CR_READ_AS_LF;
    }
    fail(cursor, DISALLOWED, i + 1);
  }
  if (c > 0xdbff) {
    cursor.pos = i + 1;
    if (c < 0xe000 || c > 0xfffd) fail(cursor, DISALLOWED, i + 1);
    return c;
  }
  // A surrogate pair, read as saxes reads it (the following unit taken as its low half).
  const code = 0x10000 + (c - 0xd800) * 0x400 + (charCodeAt(body, i + 1) - 0xdc00);
  cursor.pos = i + 2;
  if (code > 0x10ffff) fail(cursor, DISALLOWED, i + 2);
  return code;
}

/** {@link getCode} with CR read as LF. */
export function getCodeNorm(cursor: XmlCursor): number {
  const c = getCode(cursor);
  return c === CR_READ_AS_LF ? Code.LF : c;
}

/** Reads past XML whitespace; returns the first other code point (read) or {@link END}. */
export function skipSpaces(cursor: XmlCursor): number {
  for (;;) {
    const c = getCodeNorm(cursor);
    if (c === END || !isSpace(c)) return c;
  }
}

/** Checks the character at `i` and returns where the next one starts. */
export function skipChar(cursor: XmlCursor, i: number): number {
  cursor.pos = i;
  getCode(cursor);
  return cursor.pos;
}

/** Checks every character from `from` to `to`. */
export function checkChars(cursor: XmlCursor, from: number, to: number): void {
  const { body } = cursor;
  for (let i = from; i < to;) {
    const c = charCodeAt(body, i);
    i = (c >= 0x20 && c < 0xd800) || c === Code.LF || c === 9 ? i + 1 : skipChar(cursor, i);
  }
}

/** Where the XML name starting at `i` ends (its characters checked); the body's length if it runs to the end. */
export function nameEnd(cursor: XmlCursor, i: number): number {
  const { body } = cursor;
  for (;;) {
    const c = charCodeAt(body, i);
    if (c < 128) {
      if (!isAsciiNameChar(c)) return i;
      i++;
      continue;
    }
    if (Number.isNaN(c)) return i;
    cursor.pos = i;
    if (!isNameChar(getCode(cursor))) return i;
    i = cursor.pos;
  }
}
