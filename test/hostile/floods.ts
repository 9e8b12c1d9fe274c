/**
 * Bodies that break the schema as often as their size allows, built at a chosen scale: the hostile tests
 * check what comes back from them, and the benchmark's scaling table times them at 1×, 4× and 16×.
 */
import type { ParseOptions } from "../../src";

/** One kind of flood. */
export interface Flood {
  name: string;
  /** The flood at scale `n` (1 is about 1,000 problems). */
  body(n: number): string;
  /** The flood made to about `bytes` bytes. */
  bodyOfSize(bytes: number): string;
  options?: ParseOptions;
  contentType: string;
}

/** `unit` repeated to fill about `bytes` between `head` and `tail`. */
const fill = (head: string, unit: string, tail: string, bytes: number): string =>
  head + Array(Math.max(1, Math.floor((bytes - head.length - tail.length) / unit.length))).fill(unit.slice(0, -1)).join(",") + tail;

const jobsHead = '{"EventName":"TaskFinish","JobsDetail":[';
const headerHead =
  '{"EventName":"TaskFinish","JobsDetail":{"JobId":"j1","Tag":"Transcode","State":"Success","Operation":{"TemplateId":"t"},"Input":{';
const xmlHead = "<Response><EventName>TaskFinish</EventName>";

export const floodBodies: Flood[] = [
  {
    name: "JSON JobsDetail items that are not jobs",
    body: (n) => jobsHead + Array(1000 * n).fill("1").join(",") + "]}",
    bodyOfSize: (bytes) => fill(jobsHead, "1,", "]}", bytes),
    contentType: "application/json",
  },
  {
    name: "JSON jobs each missing what a job requires",
    body: (n) => jobsHead + Array(1000 * n).fill('{"Message":"m"}').join(",") + "]}",
    bodyOfSize: (bytes) => fill(jobsHead, '{"Message":"m"},', "]}", bytes),
    contentType: "application/json",
  },
  {
    name: "XML JobsDetail elements with text instead of a job",
    body: (n) => xmlHead + "<JobsDetail>1</JobsDetail>".repeat(1000 * n) + "</Response>",
    bodyOfSize: (bytes) => xmlHead + "<JobsDetail>1</JobsDetail>".repeat(Math.floor((bytes - 60) / 26)) + "</Response>",
    contentType: "application/xml",
  },
  {
    name: "JSON input nodes the schema does not know, in strict mode",
    body: (n) => headerHead + Array.from({ length: 1000 * n }, (_, i) => `"h${i}":"v"`).join(",") + "}}}",
    bodyOfSize: (bytes) =>
      headerHead + Array.from({ length: Math.floor((bytes - 140) / 14) }, (_, i) => `"h${String(i).padStart(6, "0")}":"v"`).join(",") + "}}}",
    options: { strict: true },
    contentType: "application/json",
  },
];
