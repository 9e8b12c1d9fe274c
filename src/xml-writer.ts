/**
 * Writes a canonical callback as CI's XML: `<Response>` around it, a list as repeated elements, text
 * escaped. xml-js does the writing; one quirk of it is worked around: it un-escapes `&amp;` in text before
 * escaping, so text holding a literal "&amp;" would come back as "&". Text with an `&` is written as CDATA.
 */
import { type Element, js2xml } from "xml-js";

/** The XML body of a canonical callback, indented like CI's. */
export function toXmlBody(callback: object): string {
  const root: Element = { type: "element", name: "Response", elements: children(callback as Record<string, unknown>) };
  return `${js2xml({ elements: [root] }, { spaces: 4 })}\n`;
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

function textNodes(text: string): Element[] {
  if (!text.includes("&")) return [{ type: "text", text }];
  // "]]>" cannot stand inside CDATA: split it across two sections.
  return text.split("]]>").map((part, i, parts) => ({
    type: "cdata",
    cdata: `${i > 0 ? ">" : ""}${part}${i < parts.length - 1 ? "]]" : ""}`,
  }));
}
