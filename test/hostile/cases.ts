/**
 * The hostile corpus: bodies an attacker (or a broken sender) could POST, each with the CallbackError it must
 * get. XML cases run through every XML reader. Every body carries MARKER somewhere, and no error may repeat it.
 * Truncations of the seeds at every byte offset are in truncation.test.ts; forms a valid callback may use
 * (CDATA, comments, one BOM, an XML declaration) are in tolerated.test.ts.
 */
import type { CallbackErrorKind, ParseOptions } from "../../src";
import { MARKER, bytesWith, detailBody, json, nest, simpleBody, xml } from "./bodies";

export type Body = string | Uint8Array;

export interface HostileCase {
  name: string;
  /** The body, or a function that builds a big one when the case runs. */
  body: Body | (() => Body);
  options?: ParseOptions;
  /** The error's kind; by reader where saxes (and so the strict reader) and xml-js rightly stop elsewhere. */
  kind: CallbackErrorKind | { saxes: CallbackErrorKind; "xml-js": CallbackErrorKind };
  /** The first issue's path (exact) and message (exact, or a pattern), when they are worth pinning down. */
  issue?: { path?: string; message?: string | RegExp };
}

const NOT_WELL_FORMED = /^XML is not well-formed/;
const JSON_NOT_WELL_FORMED = /^JSON is not well-formed at line \d+, column \d+: [a-z ]+$/;
const DOCTYPE = { path: "", message: "DOCTYPE is not allowed" };
const NAME = "element name is not allowed";
const ATTRIBUTES = "XML attributes are not allowed";
const INSTRUCTION = /^processing instructions are not allowed/;
const ENTITY = { path: "", message: "XML body uses an entity that XML does not define" };
const DUPLICATE = /^JSON has a duplicate key at line \d+, column \d+$/;
const INEXACT = "number is too large or too precise to keep exactly";
const CHARACTER = /^text has a character XML does not allow/;
const UTF8 = { path: "", message: "body is not valid UTF-8" };
const MiB = 1024 * 1024;

const lol = (n: number) => `<!ENTITY lol${n} "${`&lol${n - 1};`.repeat(10)}">`;

export const xmlCases: HostileCase[] = [
  // Entities and DTDs: refused before anything is expanded or fetched.
  {
    name: "billion laughs",
    body: `<?xml version="1.0"?><!DOCTYPE Response [<!ENTITY lol0 "${MARKER}">${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(lol).join("")}]>${xml("<Code>&lol9;</Code>")}`,
    kind: "parse",
    issue: DOCTYPE,
  },
  {
    name: "quadratic blow-up: one 50 KB entity referenced 5,000 times",
    body: () =>
      `<!DOCTYPE Response [<!ENTITY a "${MARKER.repeat(2500)}">]>${xml(`<Code>${"&a;".repeat(5000)}</Code>`)}`,
    kind: "parse",
    issue: DOCTYPE,
  },
  {
    name: "quadratic blow-up without a DTD: 100,000 references to an undefined entity",
    body: () => xml(`<Code>${"&a;".repeat(100_000)}</Code>`),
    kind: "parse",
    issue: ENTITY,
  },
  {
    name: "external entity (file)",
    body: `<!DOCTYPE Response [<!ENTITY ${MARKER} SYSTEM "file:///etc/passwd">]>${xml(`<Code>&${MARKER};</Code>`)}`,
    kind: "parse",
    issue: DOCTYPE,
  },
  {
    name: "external parameter entity (http)",
    body: `<!DOCTYPE Response [<!ENTITY % ext SYSTEM "http://${MARKER}.invalid/x.dtd"> %ext;]>${xml()}`,
    kind: "parse",
    issue: DOCTYPE,
  },
  {
    name: "external DTD (PUBLIC)",
    body: `<!DOCTYPE Response PUBLIC "-//${MARKER}//DTD//EN" "http://example.invalid/r.dtd">${xml()}`,
    kind: "parse",
    issue: DOCTYPE,
  },
  {
    name: "DOCTYPE after the XML declaration, with an internal subset",
    body: `<?xml version="1.0" standalone="no"?>\n<!DOCTYPE Response [<!ELEMENT Response ANY>]>\n${xml()}`,
    kind: "parse",
    issue: DOCTYPE,
  },
  { name: "DOCTYPE inside the root", body: xml(`<!DOCTYPE ${MARKER}>`), kind: "parse", issue: DOCTYPE },
  { name: "doctype in lower case", body: `<!doctype Response>${xml()}`, kind: "parse", issue: DOCTYPE },
  { name: "an HTML entity (&nbsp;)", body: xml(`<Code>a&nbsp;${MARKER}</Code>`), kind: "parse", issue: ENTITY },
  { name: "an entity named by the marker", body: xml(`<Code>&${MARKER};</Code>`), kind: "parse", issue: ENTITY },

  // Names that reach Object.prototype, and the readers' own bookkeeping names.
  {
    name: "__proto__ as an element name, where unknown nodes are kept",
    body: xml(`<__proto__><polluted>${MARKER}</polluted></__proto__>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: NAME },
  },
  {
    name: "__proto__ as the name of a leaf the schema knows",
    body: xml("", `<MediaInfo><Format><__proto__>${MARKER}</__proto__></Format></MediaInfo>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Operation/MediaInfo/Format", message: NAME },
  },
  {
    name: "__proto__ as the root element",
    body: `<__proto__><polluted>${MARKER}</polluted></__proto__>`,
    kind: "parse",
    issue: { path: "", message: NAME },
  },
  {
    name: "constructor/prototype chain as elements",
    body: xml(`<constructor><prototype><polluted>${MARKER}</polluted></prototype></constructor>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: NAME },
  },
  {
    name: "prototype as an element in a list item",
    body: xml(
      `<Input><CosHeaders><Key>k</Key></CosHeaders><CosHeaders><prototype>${MARKER}</prototype></CosHeaders></Input>`,
    ),
    kind: "parse",
    issue: { path: "/JobsDetail/Input/CosHeaders/1", message: NAME },
  },
  {
    name: "hasOwnProperty and toString as elements (shadowing)",
    body: xml(`<Workflow><hasOwnProperty>${MARKER}</hasOwnProperty><toString>x</toString></Workflow>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Workflow", message: NAME },
  },
  {
    name: "xml-js's compact keys as elements (_text, _attributes, _parent)",
    body: xml(`<Workflow><_text>${MARKER}</_text><_attributes/><_parent/></Workflow>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Workflow", message: NAME },
  },
  {
    name: "the readers' node keys as elements are ordinary nodes: strict mode reports each",
    body: xml(
      ["elements", "attributes", "parent", "declaration", "type", "name", "text", "cdata", "children", "index"]
        .map((name) => `<${name}>${MARKER}</${name}>`)
        .join(""),
    ),
    options: { strict: true },
    kind: "validation",
    issue: { path: "/JobsDetail/0/elements", message: "is not in the schema (strict mode)" },
  },
  {
    name: "a reader node key where the schema wants text",
    body: xml(`<Code><parent>${MARKER}</parent></Code>`),
    kind: "validation",
    issue: { path: "/JobsDetail/0/Code", message: "must be text" },
  },
  {
    name: "namespaced element name",
    body: xml(`<ci:Code xmlns:ci="urn:${MARKER}">x</ci:Code>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: NAME },
  },
  {
    name: "namespaced root element",
    body: `<ci:Response xmlns:ci="urn:x"><EventName>${MARKER}</EventName></ci:Response>`,
    kind: "parse",
    issue: { path: "", message: NAME },
  },
  {
    name: "a 200 KB element name",
    body: () => xml(`<${"A".repeat(200_000)}${MARKER}>x</${"A".repeat(200_000)}${MARKER}>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: NAME },
  },
  {
    name: "a non-ASCII element name",
    body: xml(`<Cödé>${MARKER}</Cödé>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: NAME },
  },

  // Attributes and namespaces.
  {
    name: "an attribute on the root",
    body: xml().replace("<Response>", `<Response id="${MARKER}">`),
    kind: "parse",
    issue: { path: "", message: ATTRIBUTES },
  },
  {
    name: "an attribute on a leaf",
    body: xml(`<Code lang="${MARKER}">x</Code>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Code", message: ATTRIBUTES },
  },
  {
    name: "a default namespace declaration",
    body: xml().replace("<Response>", `<Response xmlns="urn:${MARKER}">`),
    kind: "parse",
    issue: { path: "", message: ATTRIBUTES },
  },
  {
    name: "xml:space on an element",
    body: xml(`<Message xml:space="preserve">${MARKER}</Message>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Message", message: ATTRIBUTES },
  },
  { name: "a duplicate attribute", body: xml(`<Code a="1" a="${MARKER}">x</Code>`), kind: "parse" },

  // Nesting and size.
  {
    name: "100,000-deep nesting where unknown nodes are kept",
    body: () => xml(nest(100_000, "<a>", MARKER, "</a>")),
    kind: "limit",
    issue: { path: `/JobsDetail${"/a".repeat(63)}`, message: "elements nest deeper than the limit of 64" },
  },
  {
    name: "100,000-deep nesting where the schema wants text",
    body: () => xml(`<Code>${nest(100_000, "<a>", MARKER, "</a>")}</Code>`),
    kind: "limit",
  },
  {
    // saxes stops at the depth limit, 64 elements in; xml-js reads all of it and finds the root unclosed.
    name: "100,000 open elements, never closed",
    body: () => `<Response>${"<a>".repeat(100_000)}${MARKER}<b/>`,
    kind: { saxes: "limit", "xml-js": "parse" },
  },
  {
    name: "nesting past a lowered maxDepth",
    body: xml(),
    options: { maxDepth: 3 },
    kind: "limit",
    issue: { path: "/JobsDetail/Operation/TemplateId" },
  },
  {
    name: "a body 1 byte over the 1 MiB limit",
    body: () => {
      const small = xml();
      return small.replace(MARKER, MARKER + "x".repeat(MiB + 1 - Buffer.byteLength(small)));
    },
    kind: "limit",
    issue: { path: "", message: `body is ${MiB + 1} bytes, over the limit of ${MiB}` },
  },
  { name: "bytes over a lowered maxBytes", body: Buffer.from(xml()), options: { maxBytes: 100 }, kind: "limit" },
  {
    name: "a 1 MiB body of multi-byte characters counted in bytes, not characters",
    body: () => xml(`<Message>${"é".repeat(MiB / 2)}</Message>`),
    kind: "limit",
  },

  // Structure.
  {
    name: "mismatched tags",
    body: xml(`<Code>${MARKER}</Cod>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "an element closed by its parent's end tag",
    body: xml(`<Code>${MARKER}`),
    kind: "parse",
  },
  {
    name: "an unclosed root",
    body: xml().replace("</Response>", ""),
    kind: "parse",
    issue: { path: "", message: "XML body ends before the root element is closed (truncated)" },
  },
  {
    name: "two roots",
    body: `${xml()}<Response/>`,
    kind: "parse",
    issue: { path: "", message: "XML body has more than one root element" },
  },
  // saxes stops at the second root, sax at the text inside it.
  { name: "two roots with content", body: xml() + xml(), kind: "parse" },
  { name: "text after the root", body: `${xml()}${MARKER}<x/>`, kind: "parse" },
  { name: "text before the root, after a comment", body: `<!-- c -->${MARKER}${xml()}`, kind: "parse" },
  {
    name: "mixed content",
    body: xml(`<Input>${MARKER}<Object>o</Object></Input>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Input", message: "element mixes text and child elements" },
  },
  {
    name: "a root other than Response",
    body: `<Request><EventName>${MARKER}</EventName></Request>`,
    kind: "validation",
    issue: { path: "" },
  },
  { name: "an empty-element tag with a space in the name", body: xml(`<Co de/>${MARKER}`), kind: "parse" },
  {
    name: "a stray '<' in text",
    body: xml(`<Code>a < ${MARKER}</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "']]>' in text",
    body: xml(`<Code>a ]]> ${MARKER}</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },

  // Characters and character references.
  {
    name: "a raw NUL in text",
    body: xml(`<Code>${MARKER}\u0000</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "a raw NUL in a tag",
    body: xml(`<Co\u0000de>${MARKER}</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "a raw control character (U+0001)",
    body: xml(`<Code>${MARKER}\u0001</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "a raw escape (U+001B)",
    body: xml(`<Message>\u001b[31m${MARKER}</Message>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "a raw U+FFFF",
    body: xml(`<Code>${MARKER}\uFFFF</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "&#0;",
    body: xml(`<Code>${MARKER}&#0;</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "&#x1;",
    body: xml(`<Code>${MARKER}&#x1;</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "&#xD800; (a surrogate)",
    body: xml(`<Code>${MARKER}&#xD800;</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "&#xFFFE;",
    body: xml(`<Code>${MARKER}&#xFFFE;</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "&#x110000; (past Unicode)",
    body: xml(`<Code>${MARKER}&#x110000;</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  {
    name: "a 30-digit decimal reference",
    body: xml(`<Code>${MARKER}&#${"9".repeat(30)};</Code>`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  { name: "&#x; (no digits)", body: xml(`<Code>${MARKER}&#x;</Code>`), kind: "parse" },

  // CDATA, comments and processing instructions, in their hostile forms.
  {
    name: "CDATA smuggling markup into an enum leaf",
    body: xml().replace("<State>Success</State>", `<State><![CDATA[<Success/>${MARKER}]]></State>`),
    kind: "validation",
    issue: { path: "/JobsDetail/0/State", message: /^must be one of / },
  },
  {
    name: "CDATA beside child elements (mixed content)",
    body: xml(`<Input><![CDATA[${MARKER}]]><Object>o</Object></Input>`),
    kind: "parse",
    issue: { path: "/JobsDetail/Input", message: "element mixes text and child elements" },
  },
  { name: "an unterminated CDATA section", body: xml(`<Code><![CDATA[${MARKER}</Code>`), kind: "parse" },
  { name: "CDATA after the root", body: `${xml()}<![CDATA[${MARKER}]]>`, kind: "parse" },
  {
    name: "'--' inside a comment",
    body: xml(`<!-- a -- ${MARKER} -->`),
    kind: "parse",
    issue: { path: "", message: NOT_WELL_FORMED },
  },
  { name: "an unterminated comment", body: xml(`<Code>x</Code><!-- ${MARKER} >`), kind: "parse" },
  {
    name: "a processing instruction inside the root",
    body: xml(`<?php echo "${MARKER}" ?>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: INSTRUCTION },
  },
  {
    name: "a processing instruction before the root",
    body: `<?xml-stylesheet href="${MARKER}"?>${xml()}`,
    kind: "parse",
    issue: { path: "", message: INSTRUCTION },
  },
  {
    name: "an XML declaration inside the root",
    body: xml(`<?xml version="1.0"?><Code>${MARKER}</Code>`),
    kind: "parse",
    issue: { path: "/JobsDetail", message: INSTRUCTION },
  },
  {
    name: "an XML declaration after whitespace",
    body: ` <?xml version="1.0"?>${xml()}`,
    kind: "parse",
    issue: { path: "", message: INSTRUCTION },
  },
  {
    name: "an XML declaration naming another encoding",
    body: `<?xml version="1.0" encoding="ISO-8859-1"?>${xml()}`,
    kind: "parse",
    issue: { path: "", message: "XML declaration must declare UTF-8 encoding" },
  },
  {
    name: "a malformed XML declaration",
    body: `<?xml version="1.0" ${MARKER}?>${xml()}`,
    kind: "parse",
    issue: { path: "", message: "XML declaration is malformed" },
  },
  // Declarations xmllint refuses: XML 1.0's grammar is version 1.x, then encoding, then standalone yes|no.
  ...[
    ["with nothing in it", "<?xml?>"],
    ["with no version", '<?xml encoding="UTF-8"?>'],
    ["with version 2.0", '<?xml version="2.0"?>'],
    ["with an unquoted version", "<?xml version=1.0?>"],
    ["with standalone maybe", '<?xml version="1.0" standalone="maybe"?>'],
    ["with an unknown pseudo-attribute", '<?xml version="1.0" lang="en"?>'],
    ["with a repeated version", '<?xml version="1.0" version="1.0"?>'],
    ["with standalone before encoding", '<?xml version="1.0" standalone="yes" encoding="UTF-8"?>'],
    ["with no space between pseudo-attributes", '<?xml version="1.0"encoding="UTF-8"?>'],
    ["with an upper-case pseudo-attribute", '<?xml VERSION="1.0"?>'],
  ].map(([what, declaration]) => ({
    name: `an XML declaration ${what}`,
    body: `${declaration}${xml()}`,
    kind: "parse" as const,
    issue: { path: "", message: "XML declaration is malformed" },
  })),

  // Encoding.
  { name: "an invalid UTF-8 byte (0xFF)", body: bytesWith(xml(), MARKER, [0xff]), kind: "parse", issue: UTF8 },
  {
    name: "an overlong UTF-8 encoding of '/'",
    body: bytesWith(xml(), "</JobId>", [0x3c, 0xc0, 0xaf, 0x4a, 0x6f, 0x62, 0x49, 0x64, 0x3e]),
    kind: "parse",
    issue: UTF8,
  },
  { name: "a UTF-8-encoded surrogate", body: bytesWith(xml(), MARKER, [0xed, 0xa0, 0x80]), kind: "parse", issue: UTF8 },
  {
    name: "a multi-byte character cut at the end",
    body: Buffer.concat([Buffer.from(xml()), Buffer.from([0xe6, 0x95])]),
    kind: "parse",
    issue: UTF8,
  },
  {
    name: "UTF-16 with its BOM",
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml(), "utf16le")]),
    kind: "parse",
    issue: UTF8,
  },
  {
    name: "two UTF-8 BOMs",
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(xml())]),
    kind: "parse",
  },
  { name: "a BOM after leading whitespace", body: `\n\uFEFF${xml()}`, kind: "parse" },
  { name: "a lone surrogate in a string body", body: xml(`<Code>${MARKER}\uD800</Code>`), kind: "parse" },
  { name: "a Content-Type that says JSON", body: xml(), options: { contentType: "application/json" }, kind: "parse" },
];

export const jsonCases: HostileCase[] = [
  // Prototype keys and the unwrapping key.
  {
    name: "__proto__ at the top",
    body: `{"__proto__":{"polluted":"${MARKER}"},${json().slice(1)}`,
    kind: "parse",
    issue: { path: "", message: "a node name is not allowed" },
  },
  {
    name: "__proto__ in a job",
    body: json(`,"__proto__":{"polluted":"${MARKER}"}`),
    kind: "parse",
    issue: { path: "/JobsDetail/0", message: "a node name is not allowed" },
  },
  {
    name: "constructor.prototype in a job",
    body: json(`,"constructor":{"prototype":{"polluted":"${MARKER}"}}`),
    kind: "parse",
    issue: { path: "/JobsDetail/0", message: "a node name is not allowed" },
  },
  {
    name: "prototype in Operation",
    body: json("", `,"prototype":"${MARKER}"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Operation", message: "a node name is not allowed" },
  },
  {
    name: "__proto__ inside a kept unknown node",
    body: json(`,"Extra":{"Inner":{"__proto__":{"polluted":"${MARKER}"}}}`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Extra/Inner", message: "a node name is not allowed" },
  },
  {
    name: "__proto__ where the schema wants text",
    body: json(`,"Code":{"__proto__":{"polluted":"${MARKER}"}}`),
    kind: "validation",
    issue: { path: "/JobsDetail/0/Code", message: "must be text" },
  },
  {
    name: '__proto__ in the {"Response": …} wrapper',
    body: `{"Response":{"__proto__":{"polluted":"${MARKER}"},${json().slice(1)}}`,
    kind: "parse",
    issue: { path: "", message: "a node name is not allowed" },
  },
  {
    name: "a Response wrapper beside other keys is not unwrapped",
    body: `{"Response":${json()},"${MARKER}x":1}`,
    kind: "validation",
    issue: { path: "/EventName", message: "is required but missing" },
  },
  {
    name: "a 200 KB key",
    body: () => json(`,"${"K".repeat(200_000)}${MARKER}":"x"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0", message: "a node name is not allowed" },
  },

  // Duplicate keys: JSON.parse keeps the last one silently.
  {
    name: "a duplicate top-level key",
    body: `{"EventName":"${MARKER}",${json().slice(1)}`,
    kind: "parse",
    issue: { path: "", message: DUPLICATE },
  },
  {
    name: "a duplicate State overriding Failed with Success",
    body: json(',"State":"Failed"').replace('"State":"Success"', `"State":"${MARKER}"`),
    kind: "parse",
    issue: { path: "", message: DUPLICATE },
  },
  {
    name: "a duplicate key spelled with a \\u escape",
    body: json(`,"\\u0053tate":"Failed"`),
    kind: "parse",
    issue: { path: "", message: DUPLICATE },
  },
  {
    name: "duplicate __proto__ keys",
    body: json(`,"__proto__":{"a":"${MARKER}"},"__proto__":{"b":1}`),
    kind: "parse",
    issue: { path: "", message: DUPLICATE },
  },
  {
    name: "a duplicate JobsDetail",
    body: `{"JobsDetail":[],${json().slice(1)}`,
    kind: "parse",
    issue: { path: "", message: DUPLICATE },
  },

  // Numbers that JavaScript cannot keep exactly (CI's only JSON number is JobLevel: 0).
  {
    name: "1e400 (Infinity)",
    body: json("", ',"JobLevel":1e400'),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Operation/JobLevel", message: INEXACT },
  },
  {
    name: "-1e400",
    body: json(',"Progress":-1e400'),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Progress", message: INEXACT },
  },
  {
    name: "a 30-digit integer",
    body: json(`,"Progress":${"9".repeat(30)}`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Progress", message: INEXACT },
  },
  {
    name: "2^53 + 1",
    body: json(',"Progress":9007199254740993'),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Progress", message: INEXACT },
  },
  {
    name: "a 1,000-digit number in an unknown node",
    body: () => json(`,"Extra":[1,${"1".repeat(1000)}]`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Extra/1", message: INEXACT },
  },
  {
    name: "1e-7 (an exponent in its text)",
    body: json(',"Progress":1e-7'),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Progress", message: INEXACT },
  },
  {
    name: "NaN and Infinity literals",
    body: json(',"Progress":NaN'),
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },

  // Nesting and size.
  {
    name: "100,000-deep objects in an unknown node",
    body: () => json(`,"Extra":${nest(100_000, '{"a":', `"${MARKER}"`, "}")}`),
    kind: "limit",
    issue: { message: "nesting is deeper than the limit of 64" },
  },
  {
    name: "100,000-deep arrays where the schema wants text",
    body: () => json(`,"Code":${nest(100_000, "[", `"${MARKER}"`, "]")}`),
    kind: "limit",
  },
  { name: "100,000-deep arrays as the body", body: () => nest(100_000, "[", `"${MARKER}"`, "]"), kind: "limit" },
  {
    name: "100,000 open objects, never closed",
    body: () => `{"a":`.repeat(100_000) + `"${MARKER}"`,
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "100,000 open arrays, never closed",
    body: () => `${"[".repeat(100_000)}"${MARKER}"`,
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "nesting past a lowered maxDepth",
    body: json(),
    options: { maxDepth: 3 },
    kind: "limit",
    issue: { path: "/JobsDetail/0/JobId" },
  },
  {
    name: "a body 1 byte over the 1 MiB limit",
    body: () => {
      const small = json();
      return small.replace(MARKER, MARKER + "x".repeat(MiB + 1 - Buffer.byteLength(small)));
    },
    kind: "limit",
  },

  // Characters XML cannot carry, made with escapes (raw ones never get past JSON.parse, but for U+FFFE and
  // U+FFFF, which JSON allows raw in a string: refused as in XML).
  {
    name: "a raw U+FFFE in a string (JSON allows it, XML does not)",
    body: json(`,"Message":"${MARKER}\uFFFE"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Message", message: CHARACTER },
  },
  {
    name: "a raw U+FFFF in a string, as UTF-8 bytes",
    body: bytesWith(json(`,"Message":"${MARKER}!"`), "!", [0xef, 0xbf, 0xbf]),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Message", message: CHARACTER },
  },
  {
    name: "a raw U+FFFF in a key",
    body: json(`,"K\uFFFF":"${MARKER}"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0", message: CHARACTER },
  },
  {
    name: "a raw U+FFFE in a Chinese string (a text of two-byte characters)",
    body: json(`,"Message":"这是我的任务${MARKER}\uFFFE"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Message", message: CHARACTER },
  },
  {
    name: "an escaped NUL",
    body: json(`,"Message":"${MARKER}\\u0000"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Message", message: CHARACTER },
  },
  {
    name: "an escaped ESC in a key",
    body: json(`,"E\\u001bx":"${MARKER}"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0", message: CHARACTER },
  },
  {
    name: "an escaped lone surrogate",
    body: json(`,"Message":"${MARKER}\\ud800"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Message", message: CHARACTER },
  },
  {
    name: "an escaped U+FFFF",
    body: json(`,"Message":"${MARKER}\\uffff"`),
    kind: "parse",
    issue: { path: "/JobsDetail/0/Message", message: CHARACTER },
  },
  {
    name: "a raw NUL in a string",
    body: json(`,"Message":"${MARKER}\u0000"`),
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "a raw NUL between tokens",
    body: json().replace(",", ",\u0000"),
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  { name: "an invalid UTF-8 byte", body: bytesWith(json(), MARKER, [0xc3, 0x28]), kind: "parse", issue: UTF8 },
  {
    name: "two UTF-8 BOMs",
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(json())]),
    kind: "parse",
  },

  // Syntax.
  { name: "two JSON values", body: json() + json(), kind: "parse", issue: { path: "", message: JSON_NOT_WELL_FORMED } },
  {
    name: "text after the value",
    body: `${json()} ${MARKER}`,
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "a trailing comma",
    body: json(`,"Message":"${MARKER}",`),
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "a comment",
    body: json(`,/* ${MARKER} */"Message":"m"`),
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "single quotes",
    body: json(`,'Message':'${MARKER}'`),
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "an unterminated string",
    body: `{"EventName":"${MARKER}`,
    kind: "parse",
    issue: { path: "", message: JSON_NOT_WELL_FORMED },
  },
  {
    name: "an array as the body",
    body: `[${json()}]`,
    kind: "validation",
    issue: { path: "", message: "must be a container" },
  },
  {
    name: "a Content-Type that says XML",
    body: json(),
    options: { contentType: "text/xml; charset=utf-8" },
    kind: "parse",
  },

  // Moderation bodies (JSON only): header maps, real numbers, and the other version's header.
  {
    name: "__proto__ as a header of a Simple body's cos_headers map",
    body: simpleBody(`,"cos_headers":{"__proto__":{"polluted":"${MARKER}"}}`),
    kind: "parse",
    issue: { path: "/data/cos_headers", message: "a node name is not allowed" },
  },
  {
    name: "constructor as a header of a Detail body's CosHeaders map",
    body: detailBody(`,"CosHeaders":{"constructor":"${MARKER}"}`),
    kind: "parse",
    issue: { path: "/JobsDetail/CosHeaders", message: "a node name is not allowed" },
  },
  {
    name: "a verdict too large to keep exactly",
    body: detailBody(',"Result":1e400'),
    kind: "parse",
    issue: { message: new RegExp(INEXACT) },
  },
  {
    name: "a verdict that is a container",
    body: detailBody(`,"Result":{"x":"${MARKER}"}`),
    kind: "validation",
    issue: { path: "/JobsDetail/Result", message: "must be a whole number" },
  },
  {
    name: "a header map that is a list",
    body: detailBody(`,"CosHeaders":["${MARKER}"]`),
    kind: "validation",
    issue: { path: "/JobsDetail/CosHeaders", message: "must be a container" },
  },
  {
    name: "a Detail body under a Simple X-Ci-Content-Version",
    body: detailBody(),
    options: { contentVersion: "Simple" },
    kind: "parse",
    issue: { path: "", message: "X-Ci-Content-Version says Simple but the body is a Detail callback" },
  },
];
