/**
 * Attributes in an open tag. CI sends none and the reader refuses any, but only after reading them as saxes
 * does, one character at a time, so that malformed ones get saxes's error at saxes's position rather than
 * "attributes are not allowed".
 */
import { Code, isNameStartChar } from "./xml-chars";
import {
  DISALLOWED,
  END,
  type XmlCursor,
  fail,
  getCode,
  getCodeNorm,
  isSpace,
  nameEnd,
  skipSpaces,
} from "./xml-cursor";
import { readReference } from "./xml-references";

/** saxes's reason for a `/` in an open tag that `>` does not follow, word for word. */
export const SLASH_IN_TAG = "forward-slash in opening tag not followed by >.";
const ATTRIBUTE_NAME = "disallowed character in attribute name.";
const NO_VALUE = "attribute without value.";

/** What an open tag held after its name. */
export interface TagEnd {
  /** How many attributes it had. */
  attributes: number;
  /** Whether it ended in `/>`. */
  selfClosing: boolean;
}

/**
 * Reads the rest of an open tag from the cursor's position (after whitespace that followed the name), up to
 * and including its `>`: the attributes, well-formed or refused as saxes refuses them.
 */
export function readAttributes(cursor: XmlCursor): TagEnd {
  const seen = new Set<string>();
  let duplicate = false;
  let c = skipSpaces(cursor);
  for (;;) {
    // Between attributes (saxes's S_ATTRIB): `>`, `/>` or an attribute's name.
    if (c === END) cursor.failAtEnd();
    if (c === Code.GT || c === Code.SLASH) break;
    if (!isNameStartChar(c)) fail(cursor, ATTRIBUTE_NAME, cursor.pos);
    const end = nameEnd(cursor, cursor.prev);
    const attribute = cursor.body.slice(cursor.prev, end);
    cursor.pos = end;
    c = getCodeNorm(cursor);
    if (c === END) cursor.failAtEnd();
    if (isSpace(c)) {
      c = skipSpaces(cursor);
      if (c === END) cursor.failAtEnd();
      if (c !== Code.EQUALS) fail(cursor, NO_VALUE, cursor.pos);
    } else if (c !== Code.EQUALS) {
      fail(cursor, c === Code.GT ? NO_VALUE : ATTRIBUTE_NAME, cursor.pos);
    }
    // The value: quoted, references resolved, no `<`.
    c = skipSpaces(cursor);
    if (c === END) cursor.failAtEnd();
    if (c !== 0x22 && c !== 0x27) fail(cursor, "unquoted attribute value.", cursor.pos);
    const quote = c;
    for (c = getCode(cursor); c !== quote; c = getCode(cursor)) {
      if (c === END) cursor.failAtEnd();
      if (c === Code.AMP) readReference(cursor, cursor.pos);
      else if (c === Code.LT) fail(cursor, DISALLOWED, cursor.pos);
    }
    duplicate ||= seen.has(attribute);
    seen.add(attribute);
    // After the value (saxes's S_ATTRIB_VALUE_CLOSED): whitespace, `>` or `/>`.
    c = getCodeNorm(cursor);
    if (c === END) cursor.failAtEnd();
    if (isSpace(c)) c = skipSpaces(cursor);
    else if (c !== Code.GT && c !== Code.SLASH) {
      fail(cursor, isNameStartChar(c) ? "no whitespace between attributes." : ATTRIBUTE_NAME, cursor.pos);
    }
  }
  const selfClosing = c === Code.SLASH;
  if (selfClosing) {
    c = getCode(cursor);
    if (c === END) cursor.failAtEnd();
    if (c !== Code.GT) fail(cursor, SLASH_IN_TAG, cursor.pos);
  }
  if (duplicate) fail(cursor, "duplicate attribute", cursor.pos);
  return { attributes: seen.size, selfClosing };
}
