/**
 * One body's outcome and the text `validate` prints for it: a line a person reads (`valid  FILE  summary`,
 * `INVALID  FILE  kind error` and its issues) or, with `--json`, one JSON object a line.
 */
import { safeParseCallback } from "../canonical/callback";
import { summarizeCallback } from "../canonical/summary";
import type { CallbackErrorKind, CallbackIssue } from "../read/errors";

/**
 * One body's outcome, as `validate --json` prints it (a line each): `kind` is null when `ok`, the
 * `CallbackError` kind when the body is invalid, `"read"` when the file could not be read.
 */
export interface FileReport {
  /** The file as given or listed; `FILE:LINE` for a line of an NDJSON file. */
  file: string;
  ok: boolean;
  kind: CallbackErrorKind | "read" | null;
  issues: CallbackIssue[];
}

/** The text of some outcomes, for stdout and stderr, and how many of each there were. */
export class ReportText {
  out = "";
  err = "";
  valid = 0;
  invalid = 0;
  unreadable = 0;

  constructor(private readonly json: boolean) {}

  /** Checks one body and adds its outcome. */
  check(file: string, body: Uint8Array, strict: boolean): void {
    const result = safeParseCallback(body, { strict });
    if (result.ok) {
      this.valid++;
      this.add({ file, ok: true, kind: null, issues: [] }, () => `valid  ${file}  ${summarizeCallback(result.value)}\n`);
    } else {
      this.invalid++;
      const report: FileReport = { file, ok: false, kind: result.error.kind, issues: [...result.error.issues] };
      this.add(report, () => `INVALID  ${file}  ${humanIssues(report)}\n`);
    }
  }

  /** Adds a body refused before it was read: a line of an NDJSON file longer than the limit. */
  refuse(file: string, kind: CallbackErrorKind, issue: CallbackIssue): void {
    this.invalid++;
    const report: FileReport = { file, ok: false, kind, issues: [issue] };
    this.add(report, () => `INVALID  ${file}  ${humanIssues(report)}\n`);
  }

  /** Adds a file that could not be read; `message` is the whole one-line reason (`cannot read FILE: …`). */
  unread(file: string, reason: string, message: string): void {
    this.unreadable++;
    if (this.json) this.out += `${JSON.stringify({ file, ok: false, kind: "read", issues: [{ path: "", message: reason }] } satisfies FileReport)}\n`;
    else this.err += `ci-callback validate: ${message}\n`;
  }

  private add(report: FileReport, line: () => string): void {
    this.out += this.json ? `${JSON.stringify(report)}\n` : line();
  }
}

function humanIssues(report: FileReport): string {
  return `${report.kind} error\n${report.issues.map((i) => `  ${i.path || "/"}: ${i.message}`).join("\n")}`;
}
