/**
 * The forms of the hostile list that a valid callback may reasonably use, and that are accepted: each gives
 * the object its plain form gives. (Their hostile forms are in cases.ts.)
 */
import { expect } from "chai";
import { parseCallback } from "../../src";
import { parseCallbackWith } from "../../src/canonical/callback";
import { xmlReaders } from "../support/xml-readers";
import { json, xml } from "./bodies";

const BOM = [0xef, 0xbb, 0xbf];

describe("tolerated forms of valid callbacks", () => {
  const plain = parseCallback(xml("<Code>a&amp;b</Code>"));

  for (const [readerName, reader] of xmlReaders) {
    describe(`XML, read by ${readerName}`, () => {
      const same = (body: string | Uint8Array) => expect(parseCallbackWith(reader, body)).to.deep.equal(plain);

      it("CDATA as (part of) a leaf's text", () => {
        same(xml("<Code><![CDATA[a&b]]></Code>"));
        same(xml("<Code>a<![CDATA[&]]>b</Code>"));
      });

      it("comments before, inside and after the root, even between a leaf's text", () => {
        same(`<!-- before -->${xml("<!-- a --><Code>a&amp;<!-- <Code> -->b</Code>")}<!-- after -->`);
      });

      it("a UTF-8 XML declaration at the very start, one BOM, and whitespace around the root", () => {
        same(`<?xml version="1.0" encoding="UTF-8"?>\n${xml("<Code>a&amp;b</Code>")}\n`);
        same(Buffer.concat([Buffer.from(BOM), Buffer.from(`\r\n${xml("<Code>a&amp;b</Code>")}  `)]));
        same(`\uFEFF${xml("<Code>a&amp;b</Code>")}`);
      });

      it("every form of declaration XML 1.0's grammar allows", () => {
        for (const declaration of [
          "<?xml version='1.0'?>",
          '<?xml version="1.1" encoding="utf-8"?>',
          '<?xml version = "1.0" standalone="no" ?>',
          "<?xml\tversion='1.0'\r\n encoding='UTF-8'\n standalone='yes'?>",
        ])
          same(`${declaration}${xml("<Code>a&amp;b</Code>")}`);
      });

      it("character references to allowed characters", () => {
        same(xml("<Code>&#97;&#x26;&#x62;</Code>"));
      });
    });
  }

  describe("JSON", () => {
    const same = (body: string | Uint8Array) => expect(parseCallback(body)).to.deep.equal(plain);

    it("escapes of allowed characters, one BOM, and whitespace", () => {
      same(json(',"Code":"\\u0061\\u0026b"'));
      same(Buffer.concat([Buffer.from(BOM), Buffer.from(` \n${json(',"Code":"a&b"')}\n `)]));
    });

    it("numbers JavaScript keeps exactly, as their text", () => {
      const job = (body: string) => {
        const callback = parseCallback(body);
        return callback.EventName === "TaskFinish" ? callback.JobsDetail[0] : undefined;
      };
      expect(job(json(',"Progress":100'))).to.include({ Progress: "100" });
      expect(job(json(',"Progress":-99.5'))).to.include({ Progress: "-99.5" });
      expect(job(json(',"Progress":9007199254740991'))).to.include({ Progress: "9007199254740991" });
    });
  });
});
