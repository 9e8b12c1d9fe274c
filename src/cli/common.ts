/**
 * What the `ci-callback` commands share: exit codes, the error that carries one, option parsing worded the
 * same way for every command, and saying why a fetch failed.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { systemReason } from "../read/input";
import { redactUrl } from "./redact";

/** The exit codes of every command (the README's table). */
export const ExitCode = {
  /** Done: every body valid, the answer 2xx. */
  ok: 0,
  /** A body is not a valid callback, or `send` got an answer other than 2xx. */
  invalid: 1,
  /** The command line is wrong. */
  usage: 2,
  /** A file or stdin could not be read, a URL not reached, a port not listened on. */
  io: 3,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the command line reports as one line (`ci-callback VERB: message`) and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = "CliError";

  constructor(
    /** The code to exit with; {@link ExitCode.usage} also prints the command's usage. */
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** A command of `ci-callback`. */
export interface Command {
  /** The verb: `validate`, `send`, … */
  readonly name: string;
  /** The arguments, for the overview: `[--json] [--strict] FILE...`. */
  readonly synopsis: string;
  /** What it does, in a few words, for the overview. */
  readonly summary: string;
  /** What `ci-callback VERB --help` prints. */
  readonly usage: string;
  /** Runs with the arguments after the verb; resolves to the exit code, throws {@link CliError}. */
  run(args: string[]): number | Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * Parses a command's arguments; `undefined` when `--help` (`-h`) is among them, whatever else is. Node's own
 * messages (`ERR_PARSE_ARGS_…`) are reworded, so that every command says the same thing the same way.
 * @throws CliError (usage) for an unknown option, a missing value, a value given to a flag.
 */
export function parseCommand<O extends Options>(args: string[], options: O): Parsed<O> | undefined {
  // Read loosely first: asking for help is never an error, and the tokens name what is wrong.
  const { tokens } = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: false, tokens: true });
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) return undefined;
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    if (!(error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS_"))) throw error;
    for (const token of tokens) {
      if (token.kind !== "option") continue;
      const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
      if (option === undefined) throw usageError(`unknown option "${token.rawName}"`);
      if (option.type === "boolean" && token.value !== undefined) throw usageError(`${token.rawName} takes no value`);
      if (option.type === "string" && (token.value === undefined || (!token.inlineValue && /^-./.test(token.value)))) {
        throw usageError(`${token.rawName} needs a value${token.value === undefined ? "" : ` (for one that starts with "-", write ${token.rawName}=${token.value})`}`);
      }
    }
    // Not reached for the cases Node has today; a new one is still a usage error, in these words.
    throw usageError("cannot read the options");
  }
}

/** Prints a command's usage, for `--help`; returns the exit code. */
export function help(command: Pick<Command, "usage">): number {
  process.stdout.write(`${command.usage}\n`);
  return ExitCode.ok;
}

/** A {@link CliError} for a wrong command line. */
export function usageError(message: string): CliError {
  return new CliError(ExitCode.usage, message);
}

/** Refuses positionals past the ones a command takes. */
export function noMoreArguments(extra: string[]): void {
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
}

/** The value of a numeric option: `fallback` when absent, a usage error unless a whole number from `min` to `max`. */
export function wholeNumber(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (/^\d+$/.test(text) && value >= min && value <= max) return value;
  throw usageError(`${option} must be a whole number from ${min} to ${max}, not "${text}"`);
}

/** The value of `--format`: xml, json or absent. */
export function formatOption(value: string | undefined): "xml" | "json" | undefined {
  if (value === undefined || value === "xml" || value === "json") return value;
  throw usageError(`--format must be xml or json, not "${value}"`);
}

/** Refuses `-` given twice: stdin is read once. */
export function stdinAtMostOnce(files: string[]): void {
  if (files.filter((file) => file === "-").length > 1) throw usageError('"-" (stdin) can be given only once');
}

/**
 * Why a fetch to `url` failed: connection refused, host not found, closed, timed out. undici's fetch rejects
 * with "fetch failed" and the reason in `cause.code`; an `AbortSignal.timeout` with a `TimeoutError`.
 */
export function fetchFailure(error: unknown, url: URL, timeoutMs?: number): string {
  if (error instanceof Error && error.name === "TimeoutError") return timeoutMs === undefined ? "timed out" : `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && "code" in cause ? String(cause.code) : undefined;
  const target = `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused by ${target}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host ${url.hostname} not found (${code})`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `${target} closed the connection before answering`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return `no connection to ${target} (timeout)`;
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return `no answer from ${target} (timeout)`;
  }
  // undici may quote the URL (one with credentials is refused so): never its secrets.
  return systemReason(cause instanceof Error ? cause : error).split(url.href).join(redactUrl(url));
}
