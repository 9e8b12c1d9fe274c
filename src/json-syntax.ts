/**
 * Finds where a JSON text goes wrong, for error messages: JSON.parse says only that it failed (or quotes the
 * body), and JSON.parse silently keeps the last of duplicate keys. A loop over jsonc-parser's tokens with an
 * explicit stack, so a body nested 100,000 deep is walked without recursion. Used only on the error path.
 */
import { ScanError, SyntaxKind, createScanner } from "jsonc-parser";

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

const SCAN_ERRORS: Partial<Record<ScanError, string>> = {
  [ScanError.UnexpectedEndOfComment]: "unexpected end of comment",
  [ScanError.UnexpectedEndOfString]: "unexpected end of string",
  [ScanError.UnexpectedEndOfNumber]: "invalid number format",
  [ScanError.InvalidUnicode]: "invalid unicode escape",
  [ScanError.InvalidEscapeCharacter]: "invalid escape character",
  [ScanError.InvalidCharacter]: "invalid character",
};

/**
 * The first syntax error of `text` as strict JSON (no comments, no trailing commas), or else its first
 * duplicate object key; undefined when there is neither.
 */
export function findJsonProblem(text: string): JsonProblem | undefined {
  const scanner = createScanner(text, false); // trivia kept: comments must be seen to be refused
  const open: Open[] = [];
  let expect: Expect = "value";
  for (;;) {
    const token = scanner.scan();
    const offset = scanner.getTokenOffset();
    const problem = (reason: string): JsonProblem => ({ offset, reason });
    const scanError = SCAN_ERRORS[scanner.getTokenError()];
    if (scanError !== undefined) return problem(scanError);
    if (token === SyntaxKind.LineBreakTrivia || token === SyntaxKind.Trivia) continue;
    if (token === SyntaxKind.LineCommentTrivia || token === SyntaxKind.BlockCommentTrivia)
      return problem("comments are not allowed");
    if (token === SyntaxKind.EOF)
      return expect === "next" && open.length === 0 ? undefined : problem("unexpected end of input");
    if (token === SyntaxKind.Unknown) return problem("invalid symbol");

    const top = open[open.length - 1];
    switch (expect) {
      case "value":
      case "valueOrClose":
        if (token === SyntaxKind.CloseBracketToken && expect === "valueOrClose") {
          open.pop();
          expect = "next";
        } else if (token === SyntaxKind.OpenBraceToken) {
          open.push({ keys: new Set() });
          expect = "keyOrClose";
        } else if (token === SyntaxKind.OpenBracketToken) {
          open.push({ keys: undefined });
          expect = "valueOrClose";
        } else if (isScalar(token)) {
          expect = "next";
        } else {
          return problem("value expected");
        }
        break;
      case "key":
      case "keyOrClose":
        if (token === SyntaxKind.CloseBraceToken && expect === "keyOrClose") {
          open.pop();
          expect = "next";
        } else if (token === SyntaxKind.StringLiteral && top?.keys) {
          const key = scanner.getTokenValue();
          if (top.keys.has(key)) return problem("duplicate key");
          top.keys.add(key);
          expect = "colon";
        } else {
          return problem("property name expected");
        }
        break;
      case "colon":
        if (token !== SyntaxKind.ColonToken) return problem("colon expected");
        expect = "value";
        break;
      case "next":
        if (top === undefined) return problem("end of input expected");
        if (token === SyntaxKind.CommaToken) {
          expect = top.keys ? "key" : "value";
        } else if (token === (top.keys ? SyntaxKind.CloseBraceToken : SyntaxKind.CloseBracketToken)) {
          open.pop();
          expect = "next";
        } else {
          return problem(top.keys ? "comma or close brace expected" : "comma or close bracket expected");
        }
        break;
    }
  }
}

function isScalar(token: SyntaxKind): boolean {
  return (
    token === SyntaxKind.StringLiteral ||
    token === SyntaxKind.NumericLiteral ||
    token === SyntaxKind.TrueKeyword ||
    token === SyntaxKind.FalseKeyword ||
    token === SyntaxKind.NullKeyword
  );
}
