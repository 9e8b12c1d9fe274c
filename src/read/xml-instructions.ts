/**
 * Processing instructions, never allowed, and the XML declaration, which is one in form and is allowed only as
 * the body's first thing. prepareXml (xml-guards.ts) checks and blanks a declaration at the very start; what it
 * leaves (one after a BOM, a malformed one, one out of place) is read here with saxes's states and errors.
 */
import { Code, isNameChar, isNameStartChar } from "./xml-chars";
import { END, type XmlCursor, checkChars, fail, getCodeNorm, isSpace, skipSpaces } from "./xml-cursor";
import { XmlProblem, xmlError } from "./xml-guards";

const PI_NAME = "disallowed character in processing instruction name.";
const DECLARATION_INCOMPLETE = "XML declaration is incomplete.";

/**
 * Reads a processing instruction whose target starts at `i` (after `<?`): refuses it, unless it is an XML
 * declaration where one may be (`declarationPossible`); then returns where the text after it starts.
 */
export function readInstruction(cursor: XmlCursor, i: number, declarationPossible: boolean): number {
  const { body } = cursor;
  cursor.pos = i;
  let c = getCodeNorm(cursor);
  if (c === END) cursor.failAtEnd();
  if (!isNameStartChar(c)) {
    fail(cursor, c === Code.QUESTION || isSpace(c) ? "processing instruction without a target." : PI_NAME, cursor.pos);
  }
  let targetEnd: number;
  for (;;) {
    targetEnd = cursor.pos;
    c = getCodeNorm(cursor);
    if (c === END) cursor.failAtEnd();
    if (!isNameChar(c)) break;
  }
  if (c !== Code.QUESTION && !isSpace(c)) fail(cursor, PI_NAME, cursor.pos);
  if (body.slice(i, targetEnd) === "xml") {
    if (!declarationPossible) throw xmlError(cursor.path(), XmlProblem.instruction);
    return readDeclaration(cursor, c === Code.QUESTION);
  }
  const end = body.indexOf("?>", c === Code.QUESTION ? cursor.pos - 1 : cursor.pos);
  checkChars(cursor, cursor.pos, end < 0 ? body.length : end);
  if (end < 0) cursor.failAtEnd();
  throw xmlError(cursor.path(), XmlProblem.instruction);
}

/**
 * Reads the pseudo-attributes of an XML declaration from the cursor's position (after `<?xml` and what followed
 * it; `afterQuestion`: that was `?`); returns where the text after it starts.
 */
function readDeclaration(cursor: XmlCursor, afterQuestion: boolean): number {
  let state: "name-start" | "name" | "eq" | "value-start" | "value" | "separator" | "ending" = afterQuestion
    ? "ending"
    : "name-start";
  let name = "";
  let value = "";
  let expects = ["version"];
  let quote = 0;
  for (;;) {
    const c: number = state === "name-start" ? skipSpaces(cursor) : getCodeNorm(cursor);
    if (c === END) cursor.failAtEnd();
    switch (state) {
      case "name-start":
        if (c === Code.QUESTION) state = "ending";
        else [state, name] = ["name", String.fromCodePoint(c)];
        break;
      case "name":
        if (c === Code.QUESTION) fail(cursor, DECLARATION_INCOMPLETE, cursor.pos);
        if (isSpace(c) || c === Code.EQUALS) {
          if (!expects.includes(name)) {
            fail(
              cursor,
              name.length === 1 ? `expected the name ${expects[0]}.` : `expected one of ${expects.join(", ")}`,
              cursor.pos,
            );
          }
          state = c === Code.EQUALS ? "value-start" : "eq";
        } else name += String.fromCodePoint(c);
        break;
      case "eq":
        if (c === Code.QUESTION) fail(cursor, DECLARATION_INCOMPLETE, cursor.pos);
        if (isSpace(c)) break;
        if (c !== Code.EQUALS) fail(cursor, "value required.", cursor.pos);
        state = "value-start";
        break;
      case "value-start":
        if (c === Code.QUESTION) fail(cursor, DECLARATION_INCOMPLETE, cursor.pos);
        if (isSpace(c)) break;
        if (c !== 0x22 && c !== 0x27) fail(cursor, "value must be quoted.", cursor.pos);
        [state, quote, value] = ["value", c, ""];
        break;
      case "value":
        if (c === Code.QUESTION) fail(cursor, DECLARATION_INCOMPLETE, cursor.pos);
        if (c !== quote) {
          value += String.fromCodePoint(c);
          break;
        }
        if (name === "version") {
          expects = ["encoding", "standalone"];
          if (!/^1\.[0-9]+$/.test(value)) fail(cursor, "version number must match /^1\\.[0-9]+$/.", cursor.pos);
        } else if (name === "encoding") {
          if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value)) {
            fail(cursor, "encoding value must match /^[A-Za-z0-9][A-Za-z0-9._-]*$/.", cursor.pos);
          }
          expects = ["standalone"];
        } else {
          if (value !== "yes" && value !== "no") fail(cursor, 'standalone value must match "yes" or "no".', cursor.pos);
          expects = [];
        }
        [state, name] = ["separator", ""];
        break;
      case "separator":
        if (c === Code.QUESTION) state = "ending";
        else if (!isSpace(c)) fail(cursor, "whitespace required.", cursor.pos);
        else state = "name-start";
        break;
      case "ending":
        if (c !== Code.GT) fail(cursor, "The character ? is disallowed anywhere in XML declarations.", cursor.pos);
        if (name !== "version" && expects.includes("version")) {
          fail(cursor, "XML declaration must contain a version.", cursor.pos);
        }
        return cursor.pos;
    }
  }
}
