/**
 * Reads a JSON body. JSON.parse does the work; on failure jsonc-parser finds the line and column, which
 * JSON.parse does not always report, so the error can point at the problem without quoting the body.
 */
import { type ParseError, parse as locate, printParseErrorCode } from "jsonc-parser";
import { CallbackError } from "./errors";

/** Parses JSON text or throws a `parse` `CallbackError` with line and column. */
export function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CallbackError("parse", [{ path: "", message: describe(text) }]);
  }
}

function describe(text: string): string {
  const errors: ParseError[] = [];
  locate(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return "JSON is not well-formed";
  const { line, column } = lineAndColumn(text, first.offset);
  const reason = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return `JSON is not well-formed at line ${line}, column ${column}: ${reason}`;
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
