/**
 * A body on one line, for an NDJSON recording that `ci-callback validate` and `send --file` read back: each
 * line is a body as it is, with no escaping, so a body's own line ends are rewritten into what means the same
 * to its reader. XML: in text inside the root a character reference (`&#10;`), in CDATA the section is closed
 * and reopened around one, elsewhere (tags, attribute values, comments, outside the root) a space, as XML's own
 * line-end and attribute normalisation would read them. JSON: a space outside strings; inside one (where a raw
 * line end is an error) a raw tab, an error of the same kind. CR LF counts as one line end, as XML reads it.
 */
import { formatOf } from "./summary";

const LF = 0x0a;
const CR = 0x0d;
const LT = 0x3c;
const GT = 0x3e;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const SPACE = Buffer.from(" ");
const TAB = Buffer.from("\t");
const CHAR_REF = Buffer.from("&#10;");
const CDATA_BREAK = Buffer.from("]]>&#10;<![CDATA[");

/** `body` with no CR or LF in it, read the same by `parseCallback` (see the file's comment). */
export function oneLine(body: Uint8Array): Buffer {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.indexOf(LF) < 0 && bytes.indexOf(CR) < 0) return bytes;
  const xml = formatOf(bytes) === "xml";
  const parts: Buffer[] = [];
  let start = 0;
  const replace = (at: number, by: Buffer): number => {
    parts.push(bytes.subarray(start, at), by);
    const next = bytes[at] === CR && bytes[at + 1] === LF ? at + 2 : at + 1;
    start = next;
    return next;
  };
  if (xml) scanXml(bytes, replace);
  else scanJson(bytes, replace);
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

/** Called at a line end with what stands for it; returns where scanning goes on. */
type Replace = (at: number, by: Buffer) => number;

function isLineEnd(byte: number | undefined): boolean {
  return byte === LF || byte === CR;
}

function scanJson(bytes: Buffer, replace: Replace): void {
  let inString = false;
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i];
    if (isLineEnd(byte)) {
      i = replace(i, inString ? TAB : SPACE);
      continue;
    }
    if (byte === QUOTE) inString = !inString;
    // An escape's second character, even a quote, does not end the string (a line end is still replaced).
    else if (byte === BACKSLASH && inString && !isLineEnd(bytes[i + 1])) i++;
    i++;
  }
}

function scanXml(bytes: Buffer, replace: Replace): void {
  let depth = 0;
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i];
    if (isLineEnd(byte)) {
      i = replace(i, depth > 0 ? CHAR_REF : SPACE);
      continue;
    }
    if (byte !== LT) {
      i++;
      continue;
    }
    if (startsWith(bytes, i, "<![CDATA[")) i = scanTo(bytes, i + 9, "]]>", CDATA_BREAK, replace);
    else if (startsWith(bytes, i, "<!--")) i = scanTo(bytes, i + 4, "-->", SPACE, replace);
    else if (bytes[i + 1] === QUESTION) i = scanTo(bytes, i + 2, "?>", SPACE, replace);
    else if (bytes[i + 1] === BANG) i = scanTag(bytes, i + 2, replace).end;
    else {
      const closing = bytes[i + 1] === SLASH;
      const tag = scanTag(bytes, i + 1, replace);
      if (closing) depth--;
      else if (!tag.selfClosing) depth++;
      i = tag.end;
    }
  }
}

/** Past the next `end` from `i` (or to the body's end), line ends replaced by `by`. */
function scanTo(bytes: Buffer, i: number, end: string, by: Buffer, replace: Replace): number {
  while (i < bytes.length) {
    if (isLineEnd(bytes[i])) i = replace(i, by);
    else if (startsWith(bytes, i, end)) return i + end.length;
    else i++;
  }
  return i;
}

/** Past the `>` that ends a tag begun before `i`, quoted values skipped; line ends in it become spaces. */
function scanTag(bytes: Buffer, i: number, replace: Replace): { end: number; selfClosing: boolean } {
  let quote = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    if (isLineEnd(byte)) {
      i = replace(i, SPACE);
      continue;
    }
    if (quote !== 0) {
      if (byte === quote) quote = 0;
    } else if (byte === QUOTE || byte === APOSTROPHE) quote = byte;
    else if (byte === GT) return { end: i + 1, selfClosing: bytes[i - 1] === SLASH };
    i++;
  }
  return { end: i, selfClosing: false };
}

function startsWith(bytes: Buffer, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
  return true;
}
