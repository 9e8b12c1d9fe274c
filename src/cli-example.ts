/** `ci-callback example NAME [--format xml|json]`: prints a sample callback, for users' own tests. */
import { parseArgs } from "node:util";
import { exampleBody, exampleNames } from "./samples";

/** The usage line of the example command. */
export const exampleUsage =
  "  ci-callback example NAME [--format xml|json]       print a valid sample callback (NAME: a job Tag or WorkflowFinish)";

/** Runs the example command; returns the exit code. */
export function exampleCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: "string", default: "xml" } },
  });
  const [name] = positionals;
  const format = values.format;
  if (positionals.length !== 1 || (format !== "xml" && format !== "json")) {
    process.stderr.write(`usage:\n${exampleUsage}\n`);
    return 2;
  }
  if (!exampleNames.includes(name)) {
    process.stderr.write(`no sample named ${name}; known: ${exampleNames.join(", ")}\n`);
    return 2;
  }
  process.stdout.write(exampleBody(name, format));
  return 0;
}
