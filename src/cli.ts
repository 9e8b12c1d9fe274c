#!/usr/bin/env node
/**
 * The `ci-callback` command: `validate FILE…` checks bodies and prints one line each;
 * `convert FILE` prints the canonical JSON of one body.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { AnyCallback } from "../generated/types";
import { safeParseCallback } from "./callback";
import { exampleCommand, exampleUsage } from "./cli-example";
import { listenCommand, listenUsage } from "./cli-listen";
import { sendCommand, sendUsage } from "./cli-send";

const usage = `usage:
  ci-callback validate [--json] [--strict] FILE...   check callback bodies (exit 1 if any is invalid)
  ci-callback convert [--strict] FILE                print the canonical JSON of a body
${exampleUsage}
${listenUsage}
${sendUsage}`;

/** One file's outcome, as `validate --json` prints it. */
interface FileReport {
  file: string;
  ok: boolean;
  summary?: string;
  error?: { kind: string; issues: { path: string; message: string }[] };
}

function main(argv: string[]): number {
  // listen, send and example parse their own options (src/cli-listen.ts, src/cli-send.ts, src/cli-example.ts).
  if (argv[0] === "listen") return listenCommand(argv.slice(1));
  if (argv[0] === "send") return sendCommand(argv.slice(1));
  if (argv[0] === "example") return exampleCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, strict: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  const [command, ...files] = positionals;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (command === "validate" && files.length > 0) return validate(files, values.strict === true, values.json === true);
  if (command === "convert" && files.length === 1) return convert(files[0], values.strict === true);
  process.stderr.write(`${usage}\n`);
  return 2;
}

function validate(files: string[], strict: boolean, json: boolean): number {
  const reports = files.map((file) => check(file, strict));
  if (json) {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  } else {
    for (const r of reports) {
      const detail = r.ok ? r.summary : `${r.error?.kind} error\n${r.error?.issues.map((i) => `  ${i.path || "/"}: ${i.message}`).join("\n")}`;
      process.stdout.write(`${r.ok ? "valid" : "INVALID"}  ${r.file}  ${detail}\n`);
    }
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

function check(file: string, strict: boolean): FileReport {
  const body = read(file);
  if (typeof body === "string") return { file, ok: false, error: { kind: "read", issues: [{ path: "", message: body }] } };
  const result = safeParseCallback(body, { strict });
  if (result.ok) return { file, ok: true, summary: summarize(result.value) };
  return { file, ok: false, error: { kind: result.error.kind, issues: [...result.error.issues] } };
}

function convert(file: string, strict: boolean): number {
  const body = read(file);
  const result = typeof body === "string" ? undefined : safeParseCallback(body, { strict });
  if (result?.ok) {
    process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
    return 0;
  }
  process.stderr.write(`${file}: ${result ? result.error.message : body}\n`);
  return 1;
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

/** The file's bytes, or why it could not be read. */
function read(file: string): Buffer | string {
  try {
    return readFileSync(file);
  } catch (error) {
    return `cannot read the file (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  // parseArgs rejects unknown options by throwing; that is a usage error.
  process.stderr.write(`${(error as Error).message}\n${usage}\n`);
  process.exitCode = 2;
}
