/**
 * DOCTYPEs, never allowed. One is read as far as saxes would read it (through its internal subset's quotes,
 * comments and instructions), so that a DOCTYPE cut off before its end is, as there, a body without a root
 * element, and a complete one is refused as a DOCTYPE.
 */
import { Code } from "./xml-chars";
import { END, type XmlCursor, getCodeNorm } from "./xml-cursor";
import { XmlProblem, xmlError } from "./xml-guards";

/** Reads a DOCTYPE whose keyword ends just before `i` (`sawRoot`: the root element has been read) and refuses it. */
export function readDoctype(cursor: XmlCursor, i: number, sawRoot: boolean): never {
  if (sawRoot) throw xmlError("", XmlProblem.doctype);
  cursor.pos = i;
  let state:
    | "doctype"
    | "doctype-quote"
    | "dtd"
    | "dtd-quote"
    | "dtd-<"
    | "dtd-<!"
    | "dtd-<!-"
    | "comment"
    | "comment-"
    | "comment--"
    | "pi"
    | "pi?" = "doctype";
  let quote = 0;
  for (;;) {
    const c = getCodeNorm(cursor);
    if (c === END) cursor.failAtEnd();
    switch (state) {
      case "doctype":
        if (c === Code.GT) throw xmlError("", XmlProblem.doctype);
        if (c === 0x5b) state = "dtd";
        else if (c === 0x22 || c === 0x27) [state, quote] = ["doctype-quote", c];
        break;
      case "doctype-quote":
        if (c === quote) state = "doctype";
        break;
      case "dtd":
        if (c === Code.CLOSE_BRACKET) state = "doctype";
        else if (c === Code.LT) state = "dtd-<";
        else if (c === 0x22 || c === 0x27) [state, quote] = ["dtd-quote", c];
        break;
      case "dtd-quote":
        if (c === quote) state = "dtd";
        break;
      case "dtd-<":
        state = c === Code.BANG ? "dtd-<!" : c === Code.QUESTION ? "pi" : "dtd";
        break;
      case "dtd-<!":
        state = c === 0x2d ? "dtd-<!-" : "dtd";
        break;
      case "dtd-<!-":
        state = c === 0x2d ? "comment" : "dtd";
        break;
      case "comment":
        if (c === 0x2d) state = "comment-";
        break;
      case "comment-":
        state = c === 0x2d ? "comment--" : "comment";
        break;
      case "comment--":
        if (c !== Code.GT) throw xmlError("", XmlProblem.doctype);
        state = "dtd";
        break;
      case "pi":
        if (c === Code.QUESTION) state = "pi?";
        break;
      case "pi?":
        if (c === Code.GT) state = "dtd";
        break;
    }
  }
}
