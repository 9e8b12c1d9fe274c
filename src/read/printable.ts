/**
 * Text from a callback or a handler's error made safe for one line of a terminal or a log: what CI or a
 * handler wrote (a Tag, a JobId, an error message) may hold a newline or a line separator, which would forge a
 * line, or an escape sequence (C0's ESC or C1's CSI), which a terminal would obey. The one escaper of the
 * package: the logger's lines (receiver/logger.ts) and the CLI's output use it. In read/, the lowest stage,
 * so that every stage that shows a body's text can.
 */

/** Control and formatting characters: C0, DEL, C1, and the line and paragraph separators. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g;

/** `text` with every control character and backslash written as an escape (`\n`, `\u001b`, `\u0085`, `\\`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    if (c === "\\") return "\\\\";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * `text` in double quotes, {@link printable} and with `"` escaped: a JSON string literal that reads back as
 * `text` (unlike `JSON.stringify`'s, it has no raw C1 character or line separator in it).
 */
export function quoted(text: string): string {
  return `"${printable(text).replaceAll('"', '\\"')}"`;
}
