/**
 * The bodies the parse benches time, each as XML and as the same event's JSON: the seed's case 2, a large one
 * (50 CosHeaders, 64 KiB UserData) and a minimal one. Shared by bench/parse.ts and bench/xml-reader-ab.ts so
 * that both time the same bodies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One body, as XML and as JSON. */
export interface Size {
  name: string;
  xml: string;
  json: string;
}

const examples = join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance");
/** The seed's case 2, as XML. */
export const seedXml = readFileSync(join(examples, "seed-2.xml"), "utf8");
/** The seed's case 2, as JSON. */
export const seedJson = readFileSync(join(examples, "seed-3.json"), "utf8");

const cosHeaders = Array.from({ length: 50 }, (_, i) => ({
  Key: `x-cos-meta-key-${i}`,
  Value: `value-${i}-${"v".repeat(20)}`,
}));
const userData = "u".repeat(64 * 1024);
const largeXml = seedXml
  .replace(
    /<CosHeaders>[^]*<\/CosHeaders>/,
    cosHeaders.map((h) => `<CosHeaders><Key>${h.Key}</Key><Value>${h.Value}</Value></CosHeaders>`).join("\n"),
  )
  .replace("This is my VideoEnhance job.", userData);
const seedObject = JSON.parse(seedJson) as {
  JobsDetail: [{ Input: { CosHeaders: unknown }; Operation: { UserData: string } }];
};
seedObject.JobsDetail[0].Input.CosHeaders = cosHeaders;
seedObject.JobsDetail[0].Operation.UserData = userData;
const largeJson = JSON.stringify(seedObject, null, 4);

const minimalXml =
  "<Response><EventName>TaskFinish</EventName><JobsDetail><JobId>j1</JobId><Tag>VideoEnhance</Tag>" +
  "<State>Success</State><Operation><TemplateId>t1</TemplateId></Operation></JobsDetail></Response>";
const minimalJson =
  '{"EventName":"TaskFinish","JobsDetail":[{"JobId":"j1","Tag":"VideoEnhance","State":"Success","Operation":{"TemplateId":"t1"}}]}';

/** The three bodies, in the order the benches print them. */
export const sizes: Size[] = [
  { name: "seed (case 2)", xml: seedXml, json: seedJson },
  { name: "large", xml: largeXml, json: largeJson },
  { name: "minimal", xml: minimalXml, json: minimalJson },
];
