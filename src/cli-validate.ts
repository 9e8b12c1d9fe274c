/** `ci-callback validate FILE…` checks bodies, one line (or JSON object) each; `convert FILE` prints one's canonical JSON. */
import type { AnyCallback } from "../generated/types";
import { safeParseCallback } from "./callback";
import { CliError, ExitCode, help, InputError, noMoreArguments, parseCommand, readInput, stdinAtMostOnce, usageError, type Command } from "./cli-common";
import type { CallbackErrorKind, CallbackIssue } from "./errors";

/**
 * One file's outcome, as `validate --json` prints it (a line each): `kind` is null when `ok`, the
 * `CallbackError` kind when the body is invalid, `"read"` when the file could not be read.
 */
export interface FileReport {
  file: string;
  ok: boolean;
  kind: CallbackErrorKind | "read" | null;
  issues: CallbackIssue[];
}

/** `ci-callback validate`. */
export const validateCommand: Command = {
  name: "validate",
  synopsis: "[--json] [--strict] FILE...",
  summary: "check callback bodies, one line each",
  usage: `usage: ci-callback validate [--json] [--strict] FILE...
Checks each body (XML or JSON; - reads stdin) and prints one line per file. Exit 0 when all are valid,
1 when one is not, 3 when one could not be read.
  --json     one JSON object per line instead: {"file","ok","kind","issues"}; kind is null when ok,
             parse, validation or limit when invalid, read when the file could not be read
  --strict   report nodes the schema does not know`,
  run(args) {
    const parsed = parseCommand(args, { json: { type: "boolean" }, strict: { type: "boolean" } });
    if (parsed === undefined) return help(this);
    const files = parsed.positionals;
    if (files.length === 0) throw usageError("at least one FILE is required");
    stdinAtMostOnce(files);
    const strict = parsed.values.strict === true;
    let code: ExitCode = ExitCode.ok;
    for (const file of files) {
      const { report, summary, reason } = check(file, strict);
      // An unreadable file outranks an invalid body: the run checked less than it was asked to.
      if (report.kind === "read") code = ExitCode.io;
      else if (!report.ok && code === ExitCode.ok) code = ExitCode.invalid;
      if (parsed.values.json === true) process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (reason !== undefined) process.stderr.write(`ci-callback validate: ${reason}\n`);
      else process.stdout.write(`${report.ok ? "valid" : "INVALID"}  ${file}  ${report.ok ? summary : humanIssues(report)}\n`);
    }
    return code;
  },
};

/** `ci-callback convert`. */
export const convertCommand: Command = {
  name: "convert",
  synopsis: "[--strict] FILE",
  summary: "print the canonical JSON of a body",
  usage: `usage: ci-callback convert [--strict] FILE
Prints the canonical JSON of one body (XML or JSON; - reads stdin). Exit 1 with the error when it is
invalid, 3 when it could not be read.
  --strict   report nodes the schema does not know`,
  run(args) {
    const parsed = parseCommand(args, { strict: { type: "boolean" } });
    if (parsed === undefined) return help(this);
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw usageError("a FILE is required");
    noMoreArguments(extra);
    const result = safeParseCallback(readInput(file), { strict: parsed.values.strict === true });
    if (!result.ok) throw new CliError(ExitCode.invalid, `${file}: ${result.error.message}`);
    process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
    return ExitCode.ok;
  },
};

/** The report, with the summary line of a valid body or the one-line reason a file could not be read. */
function check(file: string, strict: boolean): { report: FileReport; summary?: string; reason?: string } {
  let body: Buffer;
  try {
    body = readInput(file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { report: { file, ok: false, kind: "read", issues: [{ path: "", message: error.reason }] }, reason: error.message };
  }
  const result = safeParseCallback(body, { strict });
  if (result.ok) return { report: { file, ok: true, kind: null, issues: [] }, summary: summarize(result.value) };
  return { report: { file, ok: false, kind: result.error.kind, issues: [...result.error.issues] } };
}

function humanIssues(report: FileReport): string {
  return `${report.kind} error\n${report.issues.map((i) => `  ${i.path || "/"}: ${i.message}`).join("\n")}`;
}

/** One line a person can read: the event, then Tag, JobId and State of each job, the workflow run, or the verdict. */
function summarize(callback: AnyCallback): string {
  if (callback.EventName === undefined) {
    const { data } = callback;
    return ["Simple", data.event ?? "(no event)", data.trace_id, `result ${data.result ?? "-"}`].join("  ");
  }
  if (callback.EventName === "WorkflowFinish") {
    const run = callback.WorkflowExecution;
    return [callback.EventName, run.WorkflowName, run.RunId, run.State, `${run.Tasks?.length ?? 0} tasks`].join("  ");
  }
  if (callback.EventName !== "TaskFinish") {
    const job = callback.JobsDetail;
    // Documents and webpages call the verdict Suggestion.
    const verdict = "Suggestion" in job ? job.Suggestion : "Result" in job ? job.Result : undefined;
    return [callback.EventName, job.JobId, job.State, `result ${verdict ?? "-"}`].join("  ");
  }
  const jobs = callback.JobsDetail.map((job) => [job.Tag, job.JobId, job.State, job.State === "Failed" ? job.Code : ""]);
  return [callback.EventName, ...jobs.flat()].filter(Boolean).join("  ");
}
