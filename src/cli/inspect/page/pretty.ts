/**
 * The raw body laid out for reading: JSON re-indented (its text kept, numbers and escapes as sent), XML one
 * element a line. Both are plain scans of the text, linear in its size, and stop once `limit` characters are
 * laid out, so that selecting a 1 MiB body lays out only what is shown first. A body neither reads as is
 * shown as it came.
 */

/** What was laid out, and whether that is the whole body. */
export interface Laid {
  text: string;
  whole: boolean;
}

/** The body, indented, up to about `limit` characters. */
export function pretty(text: string, limit = Infinity): Laid {
  const start = text.trimStart()[0];
  if (start === "{" || start === "[") return prettyJson(text, limit);
  if (start === "<") return prettyXml(text, limit);
  return text.length > limit ? { text: text.slice(0, limit), whole: false } : { text, whole: true };
}

const indents: string[] = ["\n"];
/** A newline and the indentation of `depth`, made once per depth. */
function newline(depth: number): string {
  for (let d = indents.length; d <= depth; d++) indents.push(`\n${"  ".repeat(d)}`);
  return indents[depth];
}

/** The characters that end a number or a literal. */
const STRUCTURE = '"{}[],:';

/** Re-indents JSON by its brackets and commas outside strings; the tokens stay as written. */
function prettyJson(text: string, limit: number): Laid {
  let out = "";
  let depth = 0;
  let i = 0;
  for (; i < text.length && out.length < limit; i++) {
    const c = text[i];
    switch (c) {
      case '"': {
        // A string whole, up to the quote no backslash escapes.
        let end = i + 1;
        while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
        out += text.slice(i, end + 1);
        i = end;
        break;
      }
      case "{":
      case "[": {
        let next = i + 1;
        while (next < text.length && isSpace(text[next])) next++;
        // An empty container stays on one line.
        if (text[next] === "}" || text[next] === "]") {
          out += c + text[next];
          i = next;
        } else out += c + newline(++depth);
        break;
      }
      case "}":
      case "]":
        depth = Math.max(0, depth - 1);
        out += newline(depth) + c;
        break;
      case ",":
        out += c + newline(depth);
        break;
      case ":":
        out += ": ";
        break;
      default: {
        // Spaces between tokens go; a number or a literal is taken whole.
        if (isSpace(c)) break;
        let end = i + 1;
        while (end < text.length && !isSpace(text[end]) && !STRUCTURE.includes(text[end])) end++;
        out += text.slice(i, end);
        i = end - 1;
      }
    }
  }
  return { text: out, whole: i >= text.length };
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

/** One tag a line, indented by depth; a leaf's text (or CDATA) stays beside its tags, whitespace between tags goes. */
function prettyXml(text: string, limit: number): Laid {
  let out = "";
  let depth = 0;
  /** What came last: a leaf's closing tag follows its opening tag or its text on the same line. */
  let last: "open" | "text" | "other" = "other";
  const line = (markup: string): void => {
    out += out === "" ? markup : newline(depth) + markup;
  };
  let i = 0;
  while (i < text.length && out.length < limit) {
    const open = text.indexOf("<", i);
    const between = text.slice(i, open < 0 ? text.length : open);
    if (between.trim() !== "") {
      out += last === "open" ? between : between.trim();
      last = "text";
    }
    if (open < 0) {
      i = text.length;
      break;
    }
    const end = markupEnd(text, open);
    const markup = text.slice(open, end);
    i = end;
    if (markup.startsWith("</")) {
      depth = Math.max(0, depth - 1);
      if (last === "open" || last === "text") out += markup;
      else line(markup);
      last = "other";
    } else if (markup.startsWith("<![CDATA[")) {
      out += markup;
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
  return { text: out, whole: i >= text.length };
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
