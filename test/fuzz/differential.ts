/**
 * The differential fuzz of the XML readers: the strict reader (the package's) against the saxes one (the
 * oracle), directly on body text. Bodies: mutated reference callbacks (test/fuzz/mutations.ts), and generated
 * element-only XML, as is or mutated, built from the pieces that matter to an XML reader (names safe and not,
 * every kind of reference, CDATA, comments, line ends, characters XML forbids, attributes, instructions). The two
 * must accept the same bodies with the same trees, and refuse the same bodies with the same error (kind, path and
 * message).
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { readXmlWithSaxes } from "../../bench/xml-reader-saxes";
import { CallbackError } from "../../src/read/errors";
import type { XmlDocument } from "../../src/read/xml-reader";
import { readXmlStrictly } from "../../src/read/xml-reader-strict";
import { mutatedExample, mutation } from "./mutations";

const NAMES = ["R", "Response", "A", "B", "Item", "x-y", "a.b", "_u", "A1", "LongElementName"];
const BAD_NAMES = ["é", "中", "__proto__", "constructor", "x:y", "1A", "-a", ":", "a\u00b7b", "A".repeat(129), "😀"];
const name = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_NAMES) },
);

// Text a leaf may hold: mostly what a reader must accept, sometimes what it must refuse.
const GOOD_TEXT = [
  ...["x", "text of thirteen+", " ", "\n", "\r\n", "\r", "\t", "画质", "😀", ">", "]", "]]", "a]]b", "]>"],
  ...["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x4E2D;", "&#x1F600;", "&#13;", "&#32;", "&#9;", "&#xA;"],
  ...["<![CDATA[a]]>", "<![CDATA[]]>", "<![CDATA[ ]]>", "<![CDATA[\r\n<x>]]>", "<![CDATA[]]]]>", "<![CDATA[&amp;]]>"],
  ...["<!-- c -->", "<!---->", "<!-- - -->", "<!--->-->", "\uFEFF"],
];
const BAD_TEXT = [
  ...["]]>", "]]]>", "&#0;", "&#xD800;", "&#xFFFE;", "&#x110000;", "&#X41;", "&#x;", "&#;", "&;", "&nbsp;", "&a b;"],
  ...["& ", "&amp", "<![CDATA[x", "<!-- -- -->", "<!-- c --->", "<!--", "<!x>", "<!DOCTYPE", "<?pi x?>", "<?pi?>"],
  ...["<?xml version='1.0'?>", "<??>", "<? x?>", "<", "</", "<>", "\u0001", "\uFFFE", "\u001b"],
];
const text = fc
  .array(
    fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...GOOD_TEXT) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_TEXT) },
    ),
    {
      maxLength: 4,
    },
  )
  .map((pieces) => pieces.join(""));
const GAPS = ["", "", "", "\n  ", "\r\n", " ", "<!-- g -->", "&#32;", "<![CDATA[]]>", "x", "<![CDATA[ ]]>"];
const gap = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...GAPS.slice(0, 9)) },
  { weight: 1, arbitrary: fc.constantFrom(...GAPS.slice(9)) },
);
// How a tag ends: mostly plainly, sometimes with what saxes allows or refuses in it.
const tail = (plain: string[], odd: string[]) =>
  fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...plain) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
const openTail = tail(
  [">", ">", ">", " >", "\n>"],
  [' a="1">', " a='&amp;'>", ' a="<">', " a=1>", " a>", ' a="1"b="2">', ' a="1" a="2">', "/ >", " a = '1' >"],
);
const closeTail = tail([">", ">", ">", " >", "\r\n>"], [" x>", "", "\u0000>"]);

interface Node {
  xml: string;
}

const tree = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", maxDepth: 5 },
    fc.tuple(name, openTail, text, closeTail).map(([n, open, t, close]) => ({
      xml: open === ">" && t === "" && close === ">" ? `<${n}/>` : `<${n}${open}${t}</${n}${close}`,
    })),
    fc
      .tuple(name, openTail, fc.array(fc.tuple(gap, tie("node")), { maxLength: 5 }), gap, closeTail)
      .map(([n, open, children, last, close]) => ({
        xml: `<${n}${open}${children.map(([g, child]) => g + child.xml).join("")}${last}</${n}${close}`,
      })),
  ),
})).node;

const PROLOGS = [
  '<?xml version="1.0" encoding="UTF-8"?>\n',
  "\n",
  "<!-- p -->",
  "\uFEFF",
  '\uFEFF<?xml version="1.0" encoding="GBK"?>',
];
const BAD_PROLOGS = [
  "<?xml version='1.0'><",
  "<?xml version='1.0' standalone='maybe'?>",
  "<!DOCTYPE R>",
  "x",
  "<?xml encoding='UTF-8'?>",
];
const EPILOGS = ["\n", "<!-- e -->", "\r\n"];
const BAD_EPILOGS = [" x", "<R/>", "<![CDATA[]]>", "</R>", "&amp;", "<!-- e"];
const around = (good: string[], bad: string[]) =>
  fc.oneof(
    { weight: 10, arbitrary: fc.constant("") },
    { weight: 4, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
  );

/** Generated element-only XML: a prolog, one root, an epilog. */
export const generatedXml: fc.Arbitrary<string> = fc
  .tuple(around(PROLOGS, BAD_PROLOGS), tree, around(EPILOGS, BAD_EPILOGS))
  .map(([prolog, root, epilog]) => prolog + root.xml + epilog);

/** Generated XML with one to three mutations of mutations.ts. */
const mutatedXml: fc.Arbitrary<Buffer> = fc
  .tuple(generatedXml, fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([xml, mutations]) => mutations.reduce((body: Buffer, mutate) => mutate(body), Buffer.from(xml)));

/** A body for the differential fuzz, with the depth limit to read it with. */
export const differentialBody: fc.Arbitrary<{
  body: string | Buffer;
  maxDepth: number;
}> = fc.record({
  body: fc.oneof(
    { weight: 2, arbitrary: mutatedExample as fc.Arbitrary<string | Buffer> },
    { weight: 2, arbitrary: generatedXml as fc.Arbitrary<string | Buffer> },
    { weight: 1, arbitrary: mutatedXml as fc.Arbitrary<string | Buffer> },
  ),
  maxDepth: fc.constantFrom(64, 64, 64, 3, 1),
});

/** What a reader made of a body: its document, or its error's kind and issues. */
type Outcome = { ok: true; document: XmlDocument } | { ok: false; kind: string; issues: readonly unknown[] };

function outcome(read: () => XmlDocument): Outcome {
  try {
    return { ok: true, document: read() };
  } catch (error) {
    if (error instanceof CallbackError) return { ok: false, kind: error.kind, issues: error.issues };
    throw error;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** How the two readers compared on one body. */
export interface Comparison {
  /** Whether both read it (and so their trees were compared). */
  accepted: boolean;
  /** How they differ, when they do. */
  difference?: string;
}

/**
 * Reads `body` (bytes are decoded as the package decodes them; bytes that are not UTF-8 never reach a reader)
 * with both readers and compares what they made of it.
 */
export function compareReaders(body: string | Buffer, maxDepth: number): Comparison {
  let text: string;
  try {
    text = typeof body === "string" ? body : utf8.decode(body);
  } catch {
    return { accepted: false };
  }
  if (!text.isWellFormed()) return { accepted: false };
  const options = { maxDepth };
  const strict = outcome(() => readXmlStrictly(text, options));
  const saxes = outcome(() => readXmlWithSaxes(text, options));
  if (strict.ok !== saxes.ok) {
    return { accepted: false, difference: `saxes ${saxes.ok ? "accepts" : "refuses"} it, the strict reader does not` };
  }
  if (strict.ok && saxes.ok) {
    const same = isDeepStrictEqual(strict.document, saxes.document);
    return same ? { accepted: true } : { accepted: true, difference: "the two read different trees" };
  }
  if (!strict.ok && !saxes.ok) {
    if (strict.kind !== saxes.kind) {
      return {
        accepted: false,
        difference: `saxes gives a ${saxes.kind} error, the strict reader a ${strict.kind} one`,
      };
    }
    if (!isDeepStrictEqual(strict.issues, saxes.issues)) {
      const difference = `different errors: saxes ${JSON.stringify(saxes.issues)}, strict ${JSON.stringify(strict.issues)}`;
      return { accepted: false, difference };
    }
  }
  return { accepted: false };
}
