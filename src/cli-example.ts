/** `ci-callback example NAME [--format xml|json] [--version detail|simple]`: prints a sample callback, for users' own tests. */
import { ExitCode, formatOption, help, noMoreArguments, parseCommand, usageError, type Command } from "./cli-common";
import { exampleBody, type ContentVersion } from "./samples";

/** `ci-callback example`. */
export const exampleCommand: Command = {
  name: "example",
  synopsis: "NAME [--format xml|json] [--version detail|simple]",
  summary: "print a valid sample callback",
  usage: `usage: ci-callback example NAME [--format xml|json] [--version detail|simple]
Prints a valid sample callback. NAME: a job Tag (Transcode, …), WorkflowFinish or a moderation event
(ReviewImage, …).
  --format F    xml (the default for jobs and workflows) or json (the only format of moderation)
  --version V   of a moderation event: detail (the default) or simple`,
  run(args) {
    const parsed = parseCommand(args, { format: { type: "string" }, version: { type: "string" } });
    if (parsed === undefined) return help(this);
    const [name, ...extra] = parsed.positionals;
    if (name === undefined) throw usageError("a NAME is required: a job Tag, WorkflowFinish or a moderation event");
    noMoreArguments(extra);
    const format = formatOption(parsed.values.format);
    process.stdout.write(sampleBody(name, format, versionOption(parsed.values.version)));
    return ExitCode.ok;
  },
};

/**
 * The sample body, for `example` and `send --example`.
 * @throws CliError (usage) for a name without a sample, or XML of a moderation event.
 */
export function sampleBody(name: string, format: "xml" | "json" | undefined, version: ContentVersion = "Detail"): string {
  try {
    return exampleBody(name, format, { version });
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
