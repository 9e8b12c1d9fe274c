/**
 * The raw body laid out for reading: JSON re-indented (its text kept, numbers and escapes as sent), XML one
 * element a line. Both are plain scans of the text, linear in its size; a body neither reads as is shown as
 * it came.
 */

/** The body, indented; `text` itself when it is neither JSON nor XML. */
export function pretty(text: string): string {
  const start = text.trimStart()[0];
  if (start === "{" || start === "[") return prettyJson(text);
  if (start === "<") return prettyXml(text);
  return text;
}

/** Re-indents JSON by its brackets and commas outside strings; the tokens stay as written. */
function prettyJson(text: string): string {
  const out: string[] = [];
  let depth = 0;
  const newline = (): void => void out.push("\n", "  ".repeat(depth));
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    switch (c) {
      case '"': {
        // A string whole, up to the quote no backslash escapes.
        let end = i + 1;
        while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
        out.push(text.slice(i, end + 1));
        i = end;
        break;
      }
      case "{":
      case "[": {
        let next = i + 1;
        while (next < text.length && isSpace(text[next])) next++;
        out.push(c);
        // An empty container stays on one line.
        if (text[next] === "}" || text[next] === "]") break;
        depth++;
        newline();
        break;
      }
      case "}":
      case "]":
        if (out[out.length - 1] !== "{" && out[out.length - 1] !== "[") {
          depth = Math.max(0, depth - 1);
          newline();
        }
        out.push(c);
        break;
      case ",":
        out.push(c);
        newline();
        break;
      case ":":
        out.push(": ");
        break;
      default:
        if (!isSpace(c)) out.push(c);
    }
  }
  return out.join("");
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

/** One tag a line, indented by depth; a leaf's text (or CDATA) stays beside its tags, whitespace between tags goes. */
function prettyXml(text: string): string {
  const out: string[] = [];
  let depth = 0;
  /** What came last: a leaf's closing tag follows its opening tag or its text on the same line. */
  let last: "open" | "text" | "other" = "other";
  const line = (markup: string): void => {
    if (out.length > 0) out.push("\n", "  ".repeat(depth));
    out.push(markup);
  };
  for (let i = 0; i < text.length; ) {
    const open = text.indexOf("<", i);
    const between = text.slice(i, open < 0 ? text.length : open);
    if (between.trim() !== "") {
      out.push(last === "open" ? between : between.trim());
      last = "text";
    }
    if (open < 0) break;
    const end = markupEnd(text, open);
    const markup = text.slice(open, end);
    i = end;
    if (markup.startsWith("</")) {
      depth = Math.max(0, depth - 1);
      if (last === "open" || last === "text") out.push(markup);
      else line(markup);
      last = "other";
    } else if (markup.startsWith("<![CDATA[")) {
      out.push(markup);
      last = "text";
    } else if (markup.startsWith("<?") || markup.startsWith("<!") || markup.endsWith("/>")) {
      line(markup);
      last = "other";
    } else {
      line(markup);
      depth++;
      last = "open";
    }
  }
  return out.join("");
}

/** Where the markup at `open` ends: past `-->`, `]]>`, `?>` or the `>` outside quotes. */
function markupEnd(text: string, open: number): number {
  for (const [start, end] of [["<!--", "-->"], ["<![CDATA[", "]]>"], ["<?", "?>"]]) {
    if (text.startsWith(start, open)) {
      const at = text.indexOf(end, open + start.length);
      return at < 0 ? text.length : at + end.length;
    }
  }
  let quote = "";
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote !== "") {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i + 1;
  }
  return text.length;
}
