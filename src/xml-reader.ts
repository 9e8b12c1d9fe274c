/**
 * The XML reader: body text in, the root element's name and a loose value out, or a `CallbackError`.
 * The rest of the package sees only this interface; the reader behind it is the strict scanner of
 * xml-reader-strict.ts (docs/decisions/0006-strict-xml-reader.md says why). The saxes reader, its test oracle,
 * and the xml-js one are in bench/ (they do not ship), kept for the differential tests and the benchmark; all
 * three pass the same tests.
 */
import { readXmlStrictly } from "./xml-reader-strict";

/** A value read from XML before the schema shapes it: text, a container, or repeated elements. */
export type LooseValue = string | LooseObject | LooseValue[];

/** An element with child elements: one key per child name. */
export interface LooseObject {
  [name: string]: LooseValue;
}

/** Limits applied while reading. */
export interface XmlReadOptions {
  /** deepest element nesting accepted (root = depth 1) */
  maxDepth: number;
}

/** A read XML body. */
export interface XmlDocument {
  /** the root element's name */
  root: string;
  /** the root element's content */
  value: LooseValue;
}

/**
 * Reads the text of an XML callback body into its root element's name and a loose value: text-only and
 * empty elements become strings (untrimmed), elements with children become objects keyed by child name
 * (in document order), and a name repeated among siblings becomes an array in document order.
 *
 * @throws `CallbackError` of kind `"parse"` for a body that is not well-formed, is truncated, has a DOCTYPE,
 *   processing instruction, non-UTF-8 declaration, attribute, unsafe element name, entity XML does not
 *   define, mixed content or not exactly one root; kind `"limit"` for nesting deeper than `options.maxDepth`.
 *   Messages never quote the body.
 */
export type XmlReader = (text: string, options: XmlReadOptions) => XmlDocument;

/** The XML reader the package uses. */
export const readXml: XmlReader = readXmlStrictly;
