/**
 * The XML reader: body text in, the root element's name and a loose value out, or a `CallbackError`.
 * The rest of the package sees only this interface; the reader behind it is the strict scanner of
 * xml-reader-strict.ts (docs/decisions/0006-strict-xml-reader.md says why). The saxes reader, its test oracle,
 * and the xml-js one are in bench/ (they do not ship), kept for the differential tests and the benchmark; all
 * three pass the same tests.
 */
import type { XmlReader } from "./xml-document";
import { readXmlStrictly } from "./xml-reader-strict";

export type { LooseObject, LooseValue, XmlDocument, XmlReadOptions, XmlReader } from "./xml-document";

/** The XML reader the package uses. */
export const readXml: XmlReader = readXmlStrictly;
