/**
 * `ci-callback example NAME [--format xml|json] [--version detail|simple] [--set NODE=VALUE]...`: prints a sample
 * callback, for users' own tests.
 */
import { parseArgs } from "node:util";
import { validateCallback } from "./callback";
import { exampleBody, exampleCallback, exampleNode } from "./samples";

/** The usage line of the example command. */
export const exampleUsage =
  "  ci-callback example NAME [--format xml|json] [--version detail|simple] [--set NODE=VALUE]...\n" +
  "                                                     print a valid sample callback (NAME: a job Tag, WorkflowFinish\n" +
  "                                                     or a moderation event; moderation is JSON, Detail by default);\n" +
  "                                                     --set JobId=… (RunId, trace_id, State, …) makes another event";

/** Runs the example command; returns the exit code. */
export function exampleCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: "string" }, version: { type: "string" }, set: { type: "string", multiple: true } },
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
    const options = { version: version === "simple" ? ("Simple" as const) : ("Detail" as const) };
    const set = readSet(values.set ?? [], exampleNode(exampleCallback(name, options)));
    const result = validateCallback(exampleCallback(name, { ...options, set }), { strict: true });
    if (!result.ok) throw new RangeError(`--set makes an invalid callback: ${result.error.message}`);
    process.stdout.write(exampleBody(name, format, { ...options, set }));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  return 0;
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
