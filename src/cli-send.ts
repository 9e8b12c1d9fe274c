/**
 * `ci-callback send URL`: POSTs a callback body the way CI does (the bytes of a file or an example, XML by
 * default), converting it to the other format on request, and prints the answer.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseCallback } from "./callback";
import { exampleBody } from "./samples";
import { toXmlBody } from "./xml-writer";

/** The usage lines of `send`, for the CLI's help. */
export const sendUsage =
  "  ci-callback send URL (--file F | --example TAG) [--format xml|json]   POST a callback as CI does, print the answer";

/** The two wire formats. */
type WireFormat = "xml" | "json";

/** Parses the arguments and sends; the exit code (0 on a 2xx answer, 1 otherwise) is set when answered. */
export function sendCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { file: { type: "string" }, example: { type: "string" }, format: { type: "string" } },
  });
  const [url, ...extra] = positionals;
  if (url === undefined || extra.length > 0 || !URL.canParse(url)) throw new Error("send takes one URL");
  if ((values.file === undefined) === (values.example === undefined)) throw new Error("send takes one of --file F and --example TAG");
  const format = values.format;
  if (format !== undefined && format !== "xml" && format !== "json") throw new Error(`--format is xml or json, not ${format}`);
  void send(url, values.file, values.example, format).then((code) => {
    process.exitCode = code;
  });
  return 0;
}

async function send(url: string, file: string | undefined, example: string | undefined, format: WireFormat | undefined): Promise<number> {
  let body: Buffer;
  try {
    // --example: the same samples as `ci-callback example TAG` (src/samples.ts).
    body = file !== undefined ? readFileSync(file) : Buffer.from(exampleBody(example ?? "", format ?? "xml"), "utf8");
    body = convert(body, format);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  const sent = formatOf(body);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": sent === "json" ? "application/json" : "application/xml" },
      body,
    });
    process.stdout.write(`${response.status} ${await response.text()}\n`);
    return response.ok ? 0 : 1;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    process.stderr.write(`cannot POST to ${url}: ${cause?.message ?? (error as Error).message}\n`);
    return 1;
  }
}

function formatOf(body: Buffer): WireFormat {
  return /^\s*</.test(body.subarray(0, 64).toString("utf8")) ? "xml" : "json";
}

/** The body unchanged when it is in the format asked for; else its canonical object in the other format. */
function convert(body: Buffer, format: WireFormat | undefined): Buffer {
  if (format === undefined || formatOf(body) === format) return body;
  const callback = parseCallback(body);
  const text = format === "json" ? `${JSON.stringify(callback, null, 4)}\n` : toXmlBody(callback);
  return Buffer.from(text, "utf8");
}
