/**
 * Finds where a JSON text goes wrong, for error messages: JSON.parse says only that it failed (or quotes the
 * body), and JSON.parse silently keeps the last of duplicate keys. One pass over the characters with an
 * explicit stack, so a body nested 100,000 deep is walked without recursion; it stops at the first character
 * strict JSON (RFC 8259) does not allow there, the one JSON.parse names. Used only on the error path.
 * docs/decisions/0004-json-error-locator.md says why this is hand-written.
 */

/** The first problem in a JSON text: where (0-based offset) and what, in plain words that never quote it. */
export interface JsonProblem {
  offset: number;
  reason: string;
}

/** What the next token may be. */
type Expect = "value" | "valueOrClose" | "key" | "keyOrClose" | "colon" | "next";

/** An open object (with the keys seen so far) or array. */
interface Open {
  keys: Set<string> | undefined;
}

/** Where a token scanned from `start` ends (the offset after it), or the problem inside it. */
type Scanned = number | JsonProblem;

/**
 * The first syntax error of `text` as strict JSON (no comments, no trailing commas), or else its first
 * duplicate object key; undefined when there is neither.
 */
export function findJsonProblem(text: string): JsonProblem | undefined {
  const open: Open[] = [];
  let expect: Expect = "value";
  let i = 0;
  for (;;) {
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
    if (i >= text.length) {
      return expect === "next" && open.length === 0 ? undefined : problem(i, "unexpected end of input");
    }
    if (c === 0x2f /* / */ && (text[i + 1] === "/" || text[i + 1] === "*")) {
      return problem(i, "comments are not allowed");
    }

    const top = open[open.length - 1];
    let scanned: Scanned = i + 1;
    switch (expect) {
      case "value":
      case "valueOrClose":
        if (c === 0x5d /* ] */ && expect === "valueOrClose") {
          open.pop();
          expect = "next";
        } else if (c === 0x7b /* { */) {
          open.push({ keys: new Set() });
          expect = "keyOrClose";
        } else if (c === 0x5b /* [ */) {
          open.push({ keys: undefined });
          expect = "valueOrClose";
        } else {
          scanned = scanScalar(text, i);
          expect = "next";
        }
        break;
      case "key":
      case "keyOrClose":
        if (c === 0x7d /* } */ && expect === "keyOrClose") {
          open.pop();
          expect = "next";
        } else if (c === 0x22 /* " */ && top?.keys) {
          scanned = scanString(text, i);
          if (typeof scanned !== "number") return scanned;
          const raw = text.slice(i, scanned);
          // A key spelled with escapes is compared by what it means; the literal is checked, so JSON.parse reads it.
          const key = raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          if (top.keys.has(key)) return problem(i, "duplicate key");
          top.keys.add(key);
          expect = "colon";
        } else {
          return problem(i, "property name expected");
        }
        break;
      case "colon":
        if (c !== 0x3a /* : */) return problem(i, "colon expected");
        expect = "value";
        break;
      case "next":
        if (top === undefined) return problem(i, "end of input expected");
        if (c === 0x2c /* , */) {
          expect = top.keys ? "key" : "value";
        } else if (c === (top.keys ? 0x7d /* } */ : 0x5d /* ] */)) {
          open.pop();
        } else {
          return problem(i, top.keys ? "comma or close brace expected" : "comma or close bracket expected");
        }
        break;
    }
    if (typeof scanned !== "number") return scanned;
    i = scanned;
  }
}

function problem(offset: number, reason: string): JsonProblem {
  return { offset, reason };
}

const LITERALS = ["true", "false", "null"];

/** A string, number, true, false or null starting at `start`. */
function scanScalar(text: string, start: number): Scanned {
  const c = text.charCodeAt(start);
  if (c === 0x22 /* " */) return scanString(text, start);
  if (c === 0x2d /* - */ || isDigit(c)) return scanNumber(text, start);
  for (const word of LITERALS) {
    if (word.charCodeAt(0) !== c) continue;
    for (let i = 1; i < word.length; i++) {
      if (start + i >= text.length) return problem(start + i, "unexpected end of input");
      if (text.charCodeAt(start + i) !== word.charCodeAt(i)) return problem(start + i, "invalid literal");
    }
    return start + word.length;
  }
  return problem(start, "value expected");
}

const SIMPLE_ESCAPES = '"\\/bfnrt';

function scanString(text: string, start: number): Scanned {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) return i + 1;
    if (c < 0x20) return problem(i, "control character in string");
    if (c !== 0x5c /* \ */) continue;
    i++;
    if (i >= text.length) break;
    if (text[i] === "u") {
      for (let end = i + 4; i < end; ) {
        if (!isHexDigit(text.charCodeAt(++i))) return problem(i, "invalid unicode escape");
      }
    } else if (!SIMPLE_ESCAPES.includes(text[i])) {
      return problem(i, "invalid escape character");
    }
  }
  return problem(text.length, "unexpected end of string");
}

/** `-`? (`0` | a digit 1-9, then digits), then `.` and digits, then `e` or `E`, a sign, digits: RFC 8259's grammar. */
function scanNumber(text: string, start: number): Scanned {
  let i = text.charCodeAt(start) === 0x2d /* - */ ? start + 1 : start;
  i = text.charCodeAt(i) === 0x30 /* 0 */ ? i + 1 : skipDigits(text, i);
  if (i >= 0 && text.charCodeAt(i) === 0x2e /* . */) i = skipDigits(text, i + 1);
  if (i >= 0 && (text.charCodeAt(i) | 0x20) === 0x65 /* e or E */) {
    i++;
    if (text.charCodeAt(i) === 0x2b /* + */ || text.charCodeAt(i) === 0x2d /* - */) i++;
    i = skipDigits(text, i);
  }
  return i >= 0 ? i : problem(~i, "invalid number format");
}

/** The offset after the digits at `i`, or `~i` when there is none. */
function skipDigits(text: string, i: number): number {
  if (!isDigit(text.charCodeAt(i))) return ~i;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}
