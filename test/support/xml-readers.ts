/** Both XML readers, by name: every suite that concerns XML runs on each (the package uses saxes). */
import type { XmlReader } from "../../src/xml-reader";
import { readXmlWithSaxes } from "../../src/xml-reader-saxes";
import { readXmlWithXmlJs } from "../../src/xml-reader-xml-js";

export const xmlReaders: readonly (readonly [name: string, reader: XmlReader])[] = [
  ["saxes", readXmlWithSaxes],
  ["xml-js", readXmlWithXmlJs],
];
