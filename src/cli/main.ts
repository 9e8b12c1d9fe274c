#!/usr/bin/env node
/**
 * The `ci-callback` command: finds the verb, runs it, and turns its failures into one line on stderr and
 * the exit code of the README's table (src/cli/common.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InputError } from "../read/input";
import { CliError, ExitCode, help, type Command } from "./common";
import { exampleCommand } from "./example";
import { inboxCommand } from "./inbox";
import { listenCommand } from "./listen";
import { sendCommand } from "./send";
import { convertCommand, validateCommand } from "./validate";

const commands: readonly Command[] = [validateCommand, convertCommand, exampleCommand, listenCommand, sendCommand, inboxCommand];

/** The top level: its errors say `ci-callback: …` and are followed by the list of commands. */
const overview: Pick<Command, "name" | "usage"> = {
  name: "",
  usage: `usage: ci-callback COMMAND [OPTIONS]
${commands.map((command) => `  ${command.name} ${command.synopsis}\n      ${command.summary}`).join("\n")}
  help [COMMAND], COMMAND --help
      this text, or the options of a command
  --version
      the package's version
A FILE of - reads stdin. Exit codes: 0 ok, 1 an invalid body or a non-2xx answer, 2 a usage error,
3 a file or stdin that cannot be read, a URL or Redis not reached, a port not listened on.`,
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  if (verb === "--version") {
    process.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }
  if (verb === "help" || verb === "--help" || verb === "-h") {
    if (verb !== "help" || args.length === 0) return help(overview);
    return run(overview, () => help(find(args[0])));
  }
  return run(overview, () => {
    if (verb === undefined) throw new CliError(ExitCode.usage, "a command is required");
    const command = find(verb);
    return run(command, () => command.run(args));
  });
}

/** The command named `verb`; a usage error for the overview when there is none. */
function find(verb: string): Command {
  const command = commands.find((c) => c.name === verb);
  if (command !== undefined) return command;
  throw new CliError(ExitCode.usage, verb.startsWith("-") ? `unknown option "${verb}"` : `unknown command "${verb}"`);
}

/**
 * Runs `body`; a CliError becomes `ci-callback VERB: message` (and the usage, for a usage error) and its code,
 * an InputError (a FILE or stdin that cannot be read) the same with code 3.
 */
async function run(command: Pick<Command, "name" | "usage">, body: () => number | Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (thrown) {
    const error = thrown instanceof InputError ? new CliError(ExitCode.io, thrown.message) : thrown;
    if (!(error instanceof CliError)) throw error;
    const prefix = command.name === "" ? "ci-callback" : `ci-callback ${command.name}`;
    process.stderr.write(`${prefix}: ${error.message}\n${error.exitCode === ExitCode.usage ? `${command.usage}\n` : ""}`);
    return error.exitCode;
  }
}

/** The version in the package's package.json: the nearest one up from this file that names ci-callback. */
function version(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "ci-callback" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // No package.json here (or not JSON): look one level up.
    }
    if (dirname(dir) === dir) throw new Error("the ci-callback package.json was not found");
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
