/**
 * Text from a callback or a handler's error made safe for one line of a terminal or a log: what CI or a
 * handler wrote (a Tag, a JobId, an error message) may hold a newline, which would forge a line, or an escape
 * sequence, which a terminal would obey.
 */

/** Control and formatting characters: C0, DEL, C1, and the line and paragraph separators. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g;

/** `text` with every control character and backslash written as an escape (`\n`, `\u001b`, `\\`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    if (c === "\\") return "\\\\";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
