import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { CallbackError } from "../src/read/errors";
import { isSafeName } from "../src/read/safe-name";
import type { LooseObject, LooseValue } from "../src/read/xml-reader";
import { xmlReaders } from "./support/xml-readers";

const OPTIONS = { maxDepth: 32 };
const SEED = readFileSync(path.join(__dirname, "fixtures/examples/VideoEnhance/seed-2.xml"), "utf8");

/** Runs `fn`, expecting a CallbackError, and returns it. */
function failure(fn: () => unknown): CallbackError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(CallbackError);
    return error as CallbackError;
  }
  expect.fail("expected a CallbackError");
}

for (const [readerName, readXml] of xmlReaders) {
  /** Expects `xml` to be rejected with `kind`, and returns the single issue. */
  function rejects(xml: string, kind: "parse" | "limit" = "parse", options = OPTIONS) {
    const error = failure(() => readXml(xml, options));
    expect(error.kind).to.equal(kind);
    expect(error.issues).to.have.length(1);
    return error.issues[0] as { path: string; message: string };
  }

  function read(xml: string): LooseValue {
    return readXml(xml, OPTIONS).value;
  }

  describe(`readXml (${readerName})`, () => {
    describe("conversion", () => {
      it("reads the VideoEnhance seed into the expected shape", () => {
        const doc = readXml(SEED, OPTIONS);
        expect(doc.root).to.equal("Response");
        const value = doc.value as LooseObject;
        expect(value.EventName).to.equal("TaskFinish");
        const jobs = value.JobsDetail as LooseObject;
        const input = jobs.Input as LooseObject;
        expect(input.CosHeaders).to.deep.equal([
          { Key: "Content-Type", Value: "video/mp4" },
          { Key: "x-cos-request-id", Value: "NjJiZDYwYTFfNjUzYTYyNjRfZjEwZl8xMmZhYzY5" },
          { Key: "EventName", Value: "cos:ObjectCreated:Put" },
          { Key: "Size", Value: "1424687" },
        ]);
        expect(jobs.Message).to.equal("");
        const mediaInfo = (jobs.Operation as LooseObject).MediaInfo as LooseObject;
        expect((mediaInfo.Format as LooseObject).Bitrate).to.equal("10269.090000");
        expect((mediaInfo.Stream as LooseObject).Subtitle).to.equal("");
        expect(((mediaInfo.Stream as LooseObject).Video as LooseObject).CodecLongName).to.equal(
          "H.265 / HEVC (High Efficiency Video Coding)",
        );
        expect(Object.getPrototypeOf(value)).to.equal(Object.prototype);
      });

      it("keeps a single element bare and makes repeated siblings an array in document order", () => {
        expect(read("<R><A>1</A><B>x</B></R>")).to.deep.equal({ A: "1", B: "x" });
        expect(read("<R><A>1</A><B>x</B><A>2</A><A><C>3</C></A></R>")).to.deep.equal({
          A: ["1", "2", { C: "3" }],
          B: "x",
        });
        expect(Object.keys(read("<R><B/><A>1</A><C/><A>2</A></R>") as LooseObject)).to.deep.equal(["B", "A", "C"]);
      });

      it("keeps text unchanged, reads empty elements as empty strings, and ignores whitespace between children", () => {
        expect(read("<R>  padded\n </R>")).to.equal("  padded\n ");
        expect(read("<R>   </R>")).to.equal("   ");
        expect(read("<R><A/><B></B><C> </C></R>")).to.deep.equal({ A: "", B: "", C: " " });
        expect(read("<R>\n  <A>1</A>\n</R>\n")).to.deep.equal({ A: "1" });
        expect(read("<R>a &amp; b &lt;c&gt; &#x41;&#66;</R>")).to.equal("a & b <c> AB");
      });

      it("joins CDATA with adjacent text and ignores comments", () => {
        expect(read("<R>a<![CDATA[<b> & ]]>c</R>")).to.equal("a<b> & c");
        expect(read("<R>a<!-- note -->b</R>")).to.equal("ab");
        expect(read("<!-- before --><R><!-- c --><A>1</A><!-- d --></R><!-- after -->")).to.deep.equal({ A: "1" });
      });

      it("accepts a UTF-8 XML declaration (any case) and a body without one", () => {
        expect(read('<?xml version="1.0" encoding="UTF-8"?>\n<R>x</R>')).to.equal("x");
        expect(read("<?xml version='1.0' encoding='utf-8' standalone='yes'?><R>x</R>")).to.equal("x");
        expect(read('<?xml version="1.0"?><R>x</R>')).to.equal("x");
      });
    });

    describe("guards", () => {
      it("rejects a body that is not well-formed with a position and no body text", () => {
        const issue = rejects("<R><A>secret</B></R>");
        expect(issue.path).to.equal("");
        expect(issue.message).to.match(/^XML is not well-formed at line 1, column \d+: [a-z ]+$/);
        expect(issue.message).not.to.match(/secret|\bB\b/);
        // Lines and columns are 1-based; the column is the character where the parser noticed.
        expect(rejects("<R>\n</X>").message).to.equal(
          "XML is not well-formed at line 2, column 4: unmatched closing tag",
        );
        expect(rejects("<R>x</R>tail>").message).to.match(/text data outside of root node$/);
        // sax goes on after an error and xml-js throws the last one; the first one is what gets reported.
        expect(rejects("<R>\n  <A>x</B>\n  <C>y</C>\n</R>").message).to.equal(
          "XML is not well-formed at line 2, column 10: unmatched closing tag",
        );
      });

      it("rejects entities that XML does not define (sax would expand HTML ones)", () => {
        expect(rejects("<R>&nbsp;</R>").message).to.equal("XML body uses an entity that XML does not define");
        expect(rejects("<R>&undefinedThing;</R>").message).to.equal("XML body uses an entity that XML does not define");
        expect(read("<R><![CDATA[&nbsp;]]><!-- &copy; --></R>")).to.equal("&nbsp;");
      });

      it("rejects a truncated body: unclosed elements and a body not ending in '>'", () => {
        expect(rejects("<R><A>1</A>").message).to.equal("XML body ends before the root element is closed (truncated)");
        expect(rejects("<R><A>1</A").message).to.match(/truncated/);
        expect(rejects("<R><A>1</A><B>2").message).to.match(/truncated/);
        expect(rejects("<R/><!-- cut >").message).to.match(/truncated|not well-formed/);
        expect(rejects("<R/><?cut >").message).to.equal("XML body ends inside unterminated markup (truncated)");
      });

      it("never returns a value for any proper prefix of the seed", () => {
        for (let end = 0; end < SEED.length; end++) {
          const prefix = SEED.slice(0, end);
          if (prefix.trimEnd() === SEED.trimEnd()) continue; // only trailing whitespace cut: still complete
          let error: unknown;
          try {
            readXml(prefix, OPTIONS);
          } catch (caught) {
            error = caught;
          }
          if (!(error instanceof CallbackError) || error.kind !== "parse")
            expect.fail(`prefix of length ${end} was not rejected`);
        }
      });

      it("rejects a DOCTYPE of any kind", () => {
        const doctypes = [
          '<!DOCTYPE R SYSTEM "http://example.com/r.dtd"><R>x</R>',
          '<!DOCTYPE R [<!ENTITY e "boom">]><R>x</R>',
          '<!DOCTYPE R [<!ENTITY e "boom">]><R>&e;</R>',
          '<?xml version="1.0"?><!doctype R><R>x</R>',
        ];
        for (const xml of doctypes) expect(rejects(xml).message).to.equal("DOCTYPE is not allowed");
      });

      it("rejects processing instructions and a misplaced or non-UTF-8 XML declaration", () => {
        expect(rejects('<?xml-stylesheet href="a"?><R>x</R>').message).to.match(/processing instructions/);
        expect(rejects("<R><?php echo 1 ?></R>").message).to.match(/processing instructions/);
        expect(rejects('<R><?xml version="1.0"?>x</R>').message).to.match(/processing instructions/);
        expect(rejects(' <?xml version="1.0"?><R>x</R>').message).to.match(/processing instructions/);
        expect(rejects('<?xml version="1.0"?><?xml version="1.0"?><R>x</R>').message).to.match(
          /processing instructions/,
        );
        expect(rejects('<?xml version="1.0" encoding="GBK"?><R>x</R>').message).to.equal(
          "XML declaration must declare UTF-8 encoding",
        );
      });

      it("rejects attributes, with the element's path", () => {
        expect(rejects('<R><A><B id="1">x</B></A></R>')).to.deep.equal({
          path: "/A/B",
          message: "XML attributes are not allowed",
        });
        expect(rejects('<R xmlns="urn:x">x</R>').path).to.equal("");
      });

      it("rejects unsafe element names with the parent's path and leaves Object.prototype alone", () => {
        for (const name of ["__proto__", "constructor", "toString", "_parent", "_text", "prototype", "x:A", "é"]) {
          const issue = rejects(`<R><List><I>1</I><I><${name}><polluted>yes</polluted></${name}></I></List></R>`);
          expect(issue).to.deep.equal({ path: "/List/I/1", message: "element name is not allowed" });
        }
        expect(rejects("<__proto__>x</__proto__>")).to.deep.equal({ path: "", message: "element name is not allowed" });
        expect(rejects("<R><1A>x</1A></R>").message).to.match(/^XML is not well-formed/); // not even an XML name
        expect(Object.getOwnPropertyNames(Object.prototype)).not.to.include("polluted");
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      });

      it("rejects a 200 KB element name with a short message", () => {
        const name = "A".repeat(200_000);
        const error = failure(() => readXml(`<R><${name}>x</${name}></R>`, OPTIONS));
        expect(error.issues).to.deep.equal([{ path: "", message: "element name is not allowed" }]);
        expect(error.message.length).to.be.below(200);
      });

      it("rejects nesting deeper than maxDepth as a limit, even 100,000 levels deep", () => {
        expect(read("<a><b><c>x</c></b></a>")).to.deep.equal({ b: { c: "x" } });
        const issue = rejects("<a><b><c>x</c></b></a>", "limit", { maxDepth: 2 });
        expect(issue).to.deep.equal({ path: "/b/c", message: "elements nest deeper than the limit of 2" });

        const deep = "<a>".repeat(100_000) + "</a>".repeat(100_000);
        const deepIssue = rejects(deep, "limit");
        expect(deepIssue.message).to.equal("elements nest deeper than the limit of 32");
        expect(deepIssue.path).to.equal("/a".repeat(32));
      });

      it("requires exactly one root element and no text outside it", () => {
        expect(rejects("").message).to.equal("XML body has no root element");
        expect(rejects(" \n ").message).to.equal("XML body has no root element");
        expect(rejects("<!-- only a comment -->").message).to.equal("XML body has no root element");
        expect(rejects("<R>1</R><S/>").message).to.equal("XML body has more than one root element");
        // Two true problems: saxes (and the strict reader, as saxes) stops at the second root, sax at the text in it.
        expect(rejects("<R>1</R><S>2</S>").message).to.match(
          readerName !== "xml-js" ? /^XML body has more than one root element$/ : /text data outside of root node$/,
        );
        // saxes reports CDATA there as text outside the root, with its position.
        expect(rejects("<R>1</R><![CDATA[x]]>").message).to.match(
          readerName !== "xml-js"
            ? /column 17: text data outside of root node$/
            : /^XML body has content outside the root element$/,
        );
        expect(rejects("stray<R>1</R>").message).to.match(/^XML is not well-formed/);
      });

      it("rejects mixed content", () => {
        expect(rejects("<R><A>text<B>1</B></A></R>")).to.deep.equal({
          path: "/A",
          message: "element mixes text and child elements",
        });
        expect(rejects("<R><B>1</B><![CDATA[x]]></R>").path).to.equal("");
      });

      it("never echoes the body in any message", () => {
        const bodies = [
          "<R><A>SECRET</A></SECRET>",
          "<R>SECRET<SECRET/></R>",
          '<R SECRET="SECRET"/>',
          "<R><SECRET:x/></R>",
          "SECRET<R/>",
          "<R>&SECRET;</R>",
        ];
        for (const body of bodies) expect(failure(() => readXml(body, OPTIONS)).message).not.to.match(/secret/i);
      });
    });
  });
}

describe("isSafeName", () => {
  it("accepts XML-ish names and rejects prototype keys, namespaces and long names", () => {
    for (const name of ["JobsDetail", "x-cos-meta", "A.b_c-1"]) expect(isSafeName(name)).to.equal(true);
    for (const name of [
      "",
      "__proto__",
      "constructor",
      "hasOwnProperty",
      "valueOf",
      "prototype",
      "ns:A",
      "A b",
      "A".repeat(129),
    ]) {
      expect(isSafeName(name), name).to.equal(false);
    }
    expect(isSafeName("A".repeat(128))).to.equal(true);
  });
});
