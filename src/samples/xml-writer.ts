/**
 * Writes a canonical callback as CI's XML: `<Response>` around it, a list as repeated elements, text
 * escaped. xml-js does the writing; two of its ways are worked around so that text reads back unchanged:
 * it un-escapes `&amp;` in text before escaping (so text with an `&` is written as CDATA), and a raw CR
 * would be read back as LF by any XML parser (so CR is written as `&#13;`).
 */
import type { Element } from "xml-js";

type XmlJs = typeof import("xml-js");

// Loaded on first use: only sample bodies need it, and importing the package should not pay for it.
let xmlJs: XmlJs | undefined;

/** The XML body of a canonical callback, indented like CI's. */
export function toXmlBody(callback: object): string {
  xmlJs ??= require("xml-js") as XmlJs;
  const root: Element = { type: "element", name: "Response", elements: children(callback as Record<string, unknown>) };
  const xml = xmlJs.js2xml({ elements: [root] }, { spaces: 4, textFn: (text: string) => text.replace(/\r/g, "&#13;") });
  return `${xml}\n`;
}

function children(container: Record<string, unknown>): Element[] {
  return Object.entries(container).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => element(name, item)));
}

function element(name: string, value: unknown): Element {
  if (typeof value === "object" && value !== null) {
    return { type: "element", name, elements: children(value as Record<string, unknown>) };
  }
  return { type: "element", name, elements: textNodes(String(value)) };
}

/** Text as nodes: CRs on their own (a character reference each), the runs between as text or CDATA. */
function textNodes(text: string): Element[] {
  return text.split(/(\r)/).flatMap((run): Element[] => {
    if (run === "\r" || !run.includes("&")) return run === "" ? [] : [{ type: "text", text: run }];
    // "]]>" cannot stand inside CDATA: split it across two sections.
    return run.split("]]>").map((part, i, parts) => ({
      type: "cdata",
      cdata: `${i > 0 ? ">" : ""}${part}${i < parts.length - 1 ? "]]" : ""}`,
    }));
  });
}
