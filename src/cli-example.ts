/** `ci-callback example NAME [--format xml|json] [--version detail|simple]`: prints a sample callback, for users' own tests. */
import { parseArgs } from "node:util";
import { exampleBody } from "./samples";

/** The usage line of the example command. */
export const exampleUsage =
  "  ci-callback example NAME [--format xml|json] [--version detail|simple]\n" +
  "                                                     print a valid sample callback (NAME: a job Tag, WorkflowFinish\n" +
  "                                                     or a moderation event; moderation is JSON, Detail by default)";

/** Runs the example command; returns the exit code. */
export function exampleCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: "string" }, version: { type: "string" } },
  });
  const [name] = positionals;
  const { format } = values;
  const version = values.version?.toLowerCase();
  const formatOk = format === undefined || format === "xml" || format === "json";
  if (positionals.length !== 1 || !formatOk || (version !== undefined && version !== "detail" && version !== "simple")) {
    process.stderr.write(`usage:\n${exampleUsage}\n`);
    return 2;
  }
  try {
    process.stdout.write(exampleBody(name, format, { version: version === "simple" ? "Simple" : "Detail" }));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  return 0;
}
