/**
 * The raw body, before any parser sees it: the size limit, strict UTF-8 decoding (one BOM stripped) and
 * the format, told by the first non-blank character and cross-checked against an optional Content-Type.
 */
import { CallbackError } from "./errors";

/** The two wire formats of a CI callback. */
export type BodyFormat = "xml" | "json";

/** A body decoded to text, with its format. */
export interface DecodedBody {
  text: string;
  format: BodyFormat;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes and classifies a body, or throws a `CallbackError` (`limit` past `maxBytes`, `parse` otherwise). */
export function decodeBody(body: string | Uint8Array, maxBytes: number, contentType?: string): DecodedBody {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) throw fail("body must be a string or bytes");
  const size = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
  if (size > maxBytes) {
    throw new CallbackError("limit", [{ path: "", message: `body is ${size} bytes, over the limit of ${maxBytes}` }]);
  }
  let text: string;
  if (typeof body === "string") {
    if (!body.isWellFormed()) throw fail("body is not well-formed Unicode (lone surrogate)");
    text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  } else {
    try {
      text = decoder.decode(body);
    } catch {
      throw fail("body is not valid UTF-8");
    }
  }
  const format = detectFormat(text);
  const declared = contentType === undefined ? undefined : formatOfContentType(contentType);
  if (declared !== undefined && declared !== format) {
    throw fail(`Content-Type says ${declared.toUpperCase()} but the body is ${format.toUpperCase()}`);
  }
  return { text, format };
}

/** The format a Content-Type names, or undefined when it names neither (CI's JSON Content-Type is undocumented). */
export function formatOfContentType(contentType: string): BodyFormat | undefined {
  const type = contentType.split(";", 1)[0].trim().toLowerCase();
  if (type === "application/json" || type === "text/json" || type.endsWith("+json")) return "json";
  if (type === "application/xml" || type === "text/xml" || type.endsWith("+xml")) return "xml";
  return undefined;
}

function detectFormat(text: string): BodyFormat {
  const first = /[^ \t\r\n]/.exec(text)?.[0];
  if (first === undefined) throw fail("body is empty");
  if (first === "<") return "xml";
  if (first === "{" || first === "[") return "json";
  throw fail("body is neither XML nor JSON: it must start with < or {");
}

function fail(message: string): CallbackError {
  return new CallbackError("parse", [{ path: "", message }]);
}
