/**
 * `ci-callback example NAME [--format xml|json] [--version detail|simple] [--set NODE=VALUE]...`: prints a sample
 * callback, for users' own tests.
 */
import { validateCallback } from "../canonical/callback";
import { ExitCode, formatOption, help, noMoreArguments, parseCommand, usageError, type Command } from "./common";
import { exampleBody, exampleCallback, exampleNode, type ContentVersion } from "../samples/samples";

/** `ci-callback example`. */
export const exampleCommand: Command = {
  name: "example",
  synopsis: "NAME [--format xml|json] [--version detail|simple] [--set NODE=VALUE]...",
  summary: "print a valid sample callback",
  usage: `usage: ci-callback example NAME [--format xml|json] [--version detail|simple] [--set NODE=VALUE]...
Prints a valid sample callback. NAME: a job Tag (Transcode, …), WorkflowFinish or a moderation event
(ReviewImage, …).
  --format F    xml (the default for jobs and workflows) or json (the only format of moderation)
  --version V   of a moderation event: detail (the default) or simple
  --set N=V     set a node of the sample's job, run or data (JobId=…, RunId=…, trace_id=…, State=…) to make
                another event; the result is validated`,
  run(args) {
    const parsed = parseCommand(args, {
      format: { type: "string" },
      version: { type: "string" },
      set: { type: "string", multiple: true },
    });
    if (parsed === undefined) return help(this);
    const [name, ...extra] = parsed.positionals;
    if (name === undefined) throw usageError("a NAME is required: a job Tag, WorkflowFinish or a moderation event");
    noMoreArguments(extra);
    const format = formatOption(parsed.values.format);
    process.stdout.write(sampleBody(name, format, versionOption(parsed.values.version), parsed.values.set ?? []));
    return ExitCode.ok;
  },
};

/**
 * The sample body, for `example` and `send --example`, with the `--set` pairs applied.
 * @throws CliError (usage) for a name without a sample, XML of a moderation event, or a `--set` that makes the
 * sample invalid.
 */
export function sampleBody(
  name: string,
  format: "xml" | "json" | undefined,
  version: ContentVersion = "Detail",
  pairs: readonly string[] = [],
): string {
  try {
    const set = readSet(pairs, exampleNode(exampleCallback(name, { version })));
    const result = validateCallback(exampleCallback(name, { version, set }), { strict: true });
    if (!result.ok) throw new RangeError(`--set makes an invalid callback: ${result.error.message}`);
    return exampleBody(name, format, { version, set });
  } catch (error) {
    if (error instanceof RangeError) throw usageError(error.message);
    throw error;
  }
}

function versionOption(value: string | undefined): ContentVersion {
  const version = value?.toLowerCase();
  if (version === undefined || version === "detail") return "Detail";
  if (version === "simple") return "Simple";
  throw usageError(`--version must be detail or simple, not "${value}"`);
}

/**
 * `NODE=VALUE` pairs as nodes to set on the sample's identifying node: text, or a number where the sample has
 * a number (moderation's `Result`, say).
 */
function readSet(pairs: readonly string[], node: Readonly<Record<string, unknown>>): Record<string, string | number> {
  const set: Record<string, string | number> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals < 1) throw new RangeError(`--set takes NODE=VALUE, such as JobId=j-test-1, not ${pair}`);
    const key = pair.slice(0, equals);
    const text = pair.slice(equals + 1);
    if (typeof node[key] !== "number") set[key] = text;
    else if (text.trim() !== "" && Number.isFinite(Number(text))) set[key] = Number(text);
    else throw new RangeError(`--set ${key} takes a number, not ${JSON.stringify(text)}`);
  }
  return set;
}
