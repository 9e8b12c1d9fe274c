/**
 * The characters and names of XML 1.0 (its Char, NameStartChar, NameChar and Name productions), as the strict
 * reader checks them. ASCII goes through a table, since callbacks are almost all ASCII; the rest through the
 * productions' ranges.
 */

/**
 * The character codes the strict reader looks for. A const enum, so that tsc writes each as a number where it
 * is used: the scanner's loops compare every character with some of them.
 */
export const enum Code {
  LT = 0x3c,
  GT = 0x3e,
  AMP = 0x26,
  SLASH = 0x2f,
  BANG = 0x21,
  QUESTION = 0x3f,
  SEMICOLON = 0x3b,
  CLOSE_BRACKET = 0x5d,
  EQUALS = 0x3d,
  CR = 0x0d,
  LF = 0x0a,
}

const stringCharCodeAt = String.prototype.charCodeAt;

/**
 * `text.charCodeAt(i)`, called through String.prototype's own function. Once any object in the process has
 * String.prototype as its prototype (a `class … extends String`, as ioredis's RESP decoder has), V8 stops
 * inlining `text.charCodeAt` and the reader runs about 3 times slower; called this way it stays inlined
 * (docs/decisions/0006-strict-xml-reader.md).
 */
export function charCodeAt(text: string, i: number): number {
  return stringCharCodeAt.call(text, i);
}

// ASCII name characters of XML 1.0: 1 may start a name, 2 may only continue one.
const NAME_START = 1;
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x3a || c === 0x5f;
  const part = (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
  ASCII_NAME[c] = start ? NAME_START : part ? 2 : 0;
}

/** Whether `c` (a code unit, or NaN past the end) is an ASCII character that may start a name. */
export function startsAsciiName(c: number): boolean {
  return c < 128 && ASCII_NAME[c] === NAME_START;
}

/** Whether `c` (a code unit, or NaN past the end) is an ASCII character that may be in a name. */
export function isAsciiNameChar(c: number): boolean {
  return c < 128 && ASCII_NAME[c] !== 0;
}

/** XML 1.0's Char production, for a code point. */
export function isXmlChar(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0xd7ff) ||
    c === Code.LF ||
    c === Code.CR ||
    c === 9 ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/** XML 1.0's NameStartChar, for a code point. */
export function isNameStartChar(c: number): boolean {
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
export function isNameChar(c: number): boolean {
  if (c < 128) return c >= 0 && ASCII_NAME[c] !== 0;
  return isNameStartChar(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

/** XML 1.0's Name production, for a whole string. */
export function isXmlName(text: string): boolean {
  let first = true;
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    if (!(first ? isNameStartChar(c) : isNameChar(c))) return false;
    first = false;
  }
  return !first;
}
