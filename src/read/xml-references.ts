/**
 * References in text and attribute values: XML's five entities and character references, resolved; any other
 * entity refused (a body cannot declare one: DOCTYPEs are refused), with saxes's error for a malformed one.
 */
import { charCodeAt, Code, isXmlChar, isXmlName } from "./xml-chars";
import { type XmlCursor, fail, skipChar } from "./xml-cursor";
import { XmlProblem, xmlError } from "./xml-guards";

/** Resolves the reference whose name starts at `i` (after `&`); leaves the cursor after its `;`. */
export function readReference(cursor: XmlCursor, i: number): string {
  const { body } = cursor;
  let end = i;
  for (;;) {
    if (end >= body.length) cursor.failAtEnd();
    const c = charCodeAt(body, end);
    if (c === Code.SEMICOLON) break;
    end = c >= 0x20 && c < 0xd800 ? end + 1 : skipChar(cursor, end);
  }
  cursor.pos = end + 1;
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
      return fail(cursor, "empty entity name.", end + 1);
  }
  if (charCodeAt(name, 0) !== 0x23) {
    if (isXmlName(name)) throw xmlError("", XmlProblem.entity);
    fail(cursor, "disallowed character in entity name.", end + 1);
  }
  let code = Number.NaN;
  if (charCodeAt(name, 1) === 0x78 && /^#x[0-9a-f]+$/i.test(name)) code = parseInt(name.slice(2), 16);
  else if (/^#[0-9]+$/.test(name)) code = parseInt(name.slice(1), 10);
  if (!isXmlChar(code)) fail(cursor, "malformed character entity.", end + 1);
  return String.fromCodePoint(code);
}
