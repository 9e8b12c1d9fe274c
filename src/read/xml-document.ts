/**
 * What the XML reader gives and takes: the loose value read from a body before the schema shapes it, the read
 * options and the reader's signature. Apart from xml-reader.ts so that the reader behind the interface
 * (xml-reader-strict.ts) imports these without importing the module that imports it.
 */
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
