/**
 * `ci-callback send URL`: POSTs a callback body the way CI does (the bytes of a file or an example, XML by
 * default), converting it to the other format on request, and prints the answer.
 */
import { safeParseCallback } from "../canonical/callback";
import { readInput } from "../read/input";
import { CliError, ExitCode, fetchFailure, formatOption, help, noMoreArguments, parseCommand, usageError, type Command } from "./common";
import { sampleBody } from "./example";
import { redactUrl } from "./redact";
import { toXmlBody } from "../samples/xml-writer";

/** The two wire formats. */
type WireFormat = "xml" | "json";

/** `ci-callback send`. */
export const sendCommand: Command = {
  name: "send",
  synopsis: "URL (--file FILE | --example NAME) [--format xml|json]",
  summary: "POST a callback as CI does",
  usage: `usage: ci-callback send URL (--file FILE | --example NAME) [--format xml|json]
POSTs a callback as CI does and prints the answer's status and body. Exit 0 on a 2xx answer, 1 on another
answer (or a body that cannot be converted), 3 when the file cannot be read or the URL not reached.
  --file FILE      the body to send, as it is (- reads stdin)
  --example NAME   the sample \`ci-callback example NAME\` prints
  --format F       xml or json: the body converted to that format (default: the file's own; XML for an example)`,
  async run(args) {
    const parsed = parseCommand(args, { file: { type: "string" }, example: { type: "string" }, format: { type: "string" } });
    if (parsed === undefined) return help(this);
    const [url, ...extra] = parsed.positionals;
    if (url === undefined) throw usageError("a URL is required");
    if (!URL.canParse(url)) throw usageError(`"${redactUrl(url)}" is not a URL`);
    noMoreArguments(extra);
    const { file, example } = parsed.values;
    if (file === undefined && example === undefined) throw usageError("--file or --example is required");
    if (file !== undefined && example !== undefined) throw usageError("--file and --example cannot be used together");
    const format = formatOption(parsed.values.format);
    // --example: the same samples as `ci-callback example NAME`.
    const body = file !== undefined ? convert(readInput(file), format, file) : Buffer.from(sampleBody(example ?? "", format), "utf8");
    return post(new URL(url), body);
  },
};

async function post(url: URL, body: Buffer): Promise<number> {
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
  process.stdout.write(`${response.status} ${await response.text()}\n`);
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
