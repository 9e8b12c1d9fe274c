/** Both XML readers, by name: every suite that concerns XML runs on each (the package uses saxes). */
import { readXmlWithXmlJs } from "../../bench/xml-reader-xml-js";
import type { XmlReader } from "../../src/xml-reader";
import { readXmlWithSaxes } from "../../src/xml-reader-saxes";

export const xmlReaders: readonly (readonly [name: string, reader: XmlReader])[] = [
  ["saxes", readXmlWithSaxes],
  ["xml-js", readXmlWithXmlJs],
];
