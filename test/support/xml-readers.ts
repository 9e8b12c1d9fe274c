/**
 * The XML readers, by name: every suite that concerns XML runs on each. The package uses the strict one; saxes
 * is its oracle (the differential fuzz compares the two), xml-js the first reader, kept for the benchmark.
 */
import { readXmlWithSaxes } from "../../bench/xml-reader-saxes";
import { readXmlWithXmlJs } from "../../bench/xml-reader-xml-js";
import type { XmlReader } from "../../src/read/xml-reader";
import { readXmlStrictly } from "../../src/read/xml-reader-strict";

export const xmlReaders: readonly (readonly [name: string, reader: XmlReader])[] = [
  ["strict", readXmlStrictly],
  ["saxes", readXmlWithSaxes],
  ["xml-js", readXmlWithXmlJs],
];
