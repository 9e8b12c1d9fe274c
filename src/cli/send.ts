/**
 * `ci-callback send URL`: POSTs a callback body the way CI does (the bytes of a file or an example, XML by
 * default), converting it to the other format on request, and prints the answer. An NDJSON file (a
 * `listen --record` recording) is sent a line at a time, at most `--rate` a second.
 */
import { setTimeout as delay } from "node:timers/promises";
import { lineRuns } from "../archive/ndjson";
import { isNdjson } from "../archive/sources";
import { safeParseCallback } from "../canonical/callback";
import { readInput, systemReason } from "../read/input";
import { toXmlBody } from "../samples/xml-writer";
import { CliError, ExitCode, fetchFailure, formatOption, help, noMoreArguments, parseCommand, usageError, type Command } from "./common";
import { sampleBody } from "./example";
import { redactUrl } from "./redact";

/** The two wire formats. */
type WireFormat = "xml" | "json";

/** `ci-callback send`. */
export const sendCommand: Command = {
  name: "send",
  synopsis: "URL (--file FILE | --example NAME) [--format xml|json] [--rate N]",
  summary: "POST a callback as CI does, or each line of an NDJSON recording",
  usage: `usage: ci-callback send URL (--file FILE | --example NAME) [--format xml|json] [--rate N]
POSTs a callback as CI does and prints the answer's status and body. Exit 0 on a 2xx answer, 1 on another
answer (or a body that cannot be converted), 3 when the file cannot be read or the URL not reached.
  --file FILE      the body to send, as it is (- reads stdin); an .ndjson or .jsonl file (listen --record
                   writes one) is sent a line at a time, in order, each answer printed after FILE:LINE
  --example NAME   the sample \`ci-callback example NAME\` prints
  --format F       xml or json: the body converted to that format (default: the file's own; XML for an example)
  --rate N         NDJSON: at most N bodies a second (default: each as soon as the last is answered)`,
  async run(args) {
    const parsed = parseCommand(args, { file: { type: "string" }, example: { type: "string" }, format: { type: "string" }, rate: { type: "string" } });
    if (parsed === undefined) return help(this);
    const [url, ...extra] = parsed.positionals;
    if (url === undefined) throw usageError("a URL is required");
    if (!URL.canParse(url)) throw usageError(`"${redactUrl(url)}" is not a URL`);
    noMoreArguments(extra);
    const { file, example } = parsed.values;
    if (file === undefined && example === undefined) throw usageError("--file or --example is required");
    if (file !== undefined && example !== undefined) throw usageError("--file and --example cannot be used together");
    const format = formatOption(parsed.values.format);
    const rate = parsed.values.rate === undefined ? undefined : Number(parsed.values.rate);
    if (rate !== undefined && !(/^\d+(\.\d+)?$/.test(parsed.values.rate ?? "") && rate > 0 && rate <= 100_000)) {
      throw usageError(`--rate must be a number of bodies a second, above 0 and at most 100000, not "${parsed.values.rate}"`);
    }
    if (file !== undefined && file !== "-" && isNdjson(file)) return sendLines(new URL(url), file, format, rate);
    if (rate !== undefined) throw usageError("--rate is for an NDJSON --file");
    // --example: the same samples as `ci-callback example NAME`.
    const body = file !== undefined ? convert(readInput(file), format, file) : Buffer.from(sampleBody(example ?? "", format), "utf8");
    return post(new URL(url), body);
  },
};

/** Sends each line that is not blank, in order, at most `rate` a second; stops at a URL that cannot be reached. */
async function sendLines(url: URL, file: string, format: WireFormat | undefined, rate: number | undefined): Promise<number> {
  const started = performance.now();
  let sent = 0;
  let code: ExitCode = ExitCode.ok;
  for await (const { line, bytes } of ndjsonLines(file)) {
    const name = `${file}:${line}`;
    if (bytes === undefined) {
      process.stdout.write(`${name} not sent: the line is over ${MAX_LINE_BYTES} bytes\n`);
      code = ExitCode.invalid;
      continue;
    }
    let body: Buffer;
    try {
      body = convert(bytes, format, name);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      process.stdout.write(`${name} not sent: ${error.message}\n`);
      code = ExitCode.invalid;
      continue;
    }
    if (rate !== undefined) await delay(Math.max(0, started + (sent * 1000) / rate - performance.now()));
    sent++;
    if ((await post(url, body, `${name} `)) !== ExitCode.ok) code = ExitCode.invalid;
  }
  return code;
}

/** Longest NDJSON line sent: the listener's default limit is 1 MiB, so this leaves room for a raised one. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** The file's lines that are not blank, numbered from 1, a `\r` before the `\n` dropped; `bytes` is undefined for one over the limit. */
async function* ndjsonLines(file: string): AsyncGenerator<{ line: number; bytes: Buffer | undefined }> {
  try {
    for await (const run of lineRuns(file, 64 * 1024, MAX_LINE_BYTES)) {
      if (run.kind === "long") {
        yield { line: run.line, bytes: undefined };
        continue;
      }
      let line = run.firstLine;
      const pieces = run.head === undefined ? [run.bytes] : [run.head, run.bytes];
      for (const piece of pieces) {
        const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        for (let start = 0; start < bytes.length; line++) {
          let end = bytes.indexOf(0x0a, start);
          if (end < 0) end = bytes.length;
          const body = bytes.subarray(start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end);
          if (body.some((byte) => byte !== 0x20 && byte !== 0x09)) yield { line, bytes: body };
          start = end + 1;
        }
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.io, `cannot read ${file}: ${systemReason(error)}`);
  }
}

/** POSTs one body and prints the answer after `prefix`; the exit code of that answer. */
async function post(url: URL, body: Buffer, prefix = ""): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": formatOf(body) === "json" ? "application/json" : "application/xml" },
      body,
    });
  } catch (error) {
    throw new CliError(ExitCode.io, `cannot POST to ${redactUrl(url)}: ${fetchFailure(error, url)}`);
  }
  process.stdout.write(`${prefix}${response.status} ${await response.text()}\n`);
  return response.ok ? ExitCode.ok : ExitCode.invalid;
}

function formatOf(body: Buffer): WireFormat {
  return /^\s*</.test(body.subarray(0, 64).toString("utf8")) ? "xml" : "json";
}

/**
 * The body unchanged when it is in the format asked for; else its canonical object in the other format.
 * @throws CliError (invalid) when the body must be converted and is not a valid callback.
 */
function convert(body: Buffer, format: WireFormat | undefined, file: string): Buffer {
  if (format === undefined || formatOf(body) === format) return body;
  const result = safeParseCallback(body);
  if (!result.ok) throw new CliError(ExitCode.invalid, `${file}: ${result.error.message}`);
  const text = format === "json" ? `${JSON.stringify(result.value, null, 4)}\n` : toXmlBody(result.value);
  return Buffer.from(text, "utf8");
}
