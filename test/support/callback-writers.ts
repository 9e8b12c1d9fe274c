/**
 * Writes a canonical callback back into the wire formats, as a sender could: XML (xml-js writes it) and JSON
 * in any of the styles CI's examples use (one-item lists bare or as arrays, numbers bare or quoted, with or
 * without the {"Response": …} wrapper). For the property tests: parsing any of these must give the object back.
 */
import { js2xml } from "xml-js";

/** The XML body of a canonical callback: `<Response>`, repeated elements for lists. */
export function writeXml(callback: unknown): string {
  // A raw CR would come back as LF (XML's line-end rule), so it is written as a reference.
  return js2xml({ Response: callback }, { compact: true, textFn: (text: string) => text.replace(/\r/g, "&#13;") });
}

/** How a JSON body is written: each choice is taken from `seed`'s bits, in the order the writer meets them. */
export interface JsonStyle {
  seed: number;
  /** Wrap the body in {"Response": …}, as one documented example does. */
  wrap: boolean;
}

/** The JSON body of a canonical callback, in the given style. */
export function writeJson(callback: unknown, { seed, wrap }: JsonStyle): string {
  let bits = seed >>> 0;
  const choose = (): boolean => {
    bits = (Math.imul(bits, 1103515245) + 12345) >>> 0;
    return (bits & 0x10000) !== 0;
  };
  const styled = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(styled);
      return items.length === 1 && choose() ? items[0] : items;
    }
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, styled(item)]));
    }
    // Text that is a JSON number's own text may be sent as that number ("JobLevel": 0).
    if (typeof value === "string" && isNumberText(value) && choose()) return Number(value);
    return value;
  };
  const body = styled(callback);
  return JSON.stringify(wrap ? { Response: body } : body);
}

function isNumberText(text: string): boolean {
  const number = Number(text);
  return (
    /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/.test(text) &&
    Number.isSafeInteger(Math.trunc(number)) &&
    String(number) === text
  );
}
