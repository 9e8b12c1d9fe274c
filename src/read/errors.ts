/** What went wrong, in one word: the body could not be read, it broke the schema, or it broke a limit. */
export type CallbackErrorKind = "parse" | "validation" | "limit";

/** One problem found in a callback body. */
export interface CallbackIssue {
  /** JSON Pointer (RFC 6901) into the canonical object; `""` is the whole body. */
  path: string;
  /** What is wrong, in words that never quote the body. */
  message: string;
}

/** Most issues a {@link CallbackError} lists; the rest are counted in `omittedIssues`. */
export const MAX_ISSUES = 100;
/** Most characters of paths and messages the listed issues hold together, so an error stays a few KB. */
export const MAX_ISSUE_TEXT = 8 * 1024;

/**
 * The one error type of this package: every bad input ends here, never in a crash or a partial object.
 * Messages name the problem and its path but never echo the body, so they are safe to log. However bad the
 * body, the error stays small: at most {@link MAX_ISSUES} issues (and {@link MAX_ISSUE_TEXT} characters of
 * them) are listed, the others counted.
 */
export class CallbackError extends Error {
  override readonly name = "CallbackError";
  /** The first problems found, each with its JSON Pointer path: at most {@link MAX_ISSUES}. */
  readonly issues: readonly CallbackIssue[];
  /**
   * How many more problems were found than `issues` lists. Checking stops after a few hundred problems, so
   * for a body with more than that this is a lower bound.
   */
  readonly omittedIssues: number;

  constructor(
    /** Whether reading, validation or a limit failed. */
    readonly kind: CallbackErrorKind,
    issues: readonly CallbackIssue[],
    /** Problems found and not passed in `issues` (already left out by whoever found them). */
    omitted = 0,
  ) {
    const listed: CallbackIssue[] = [];
    let text = 0;
    for (const found of issues) {
      const issue = found.path.length > MAX_PATH ? shortened(found) : found;
      text += issue.path.length + issue.message.length;
      if (listed.length === MAX_ISSUES || (listed.length > 0 && text > MAX_ISSUE_TEXT)) break;
      listed.push(issue);
    }
    const omittedIssues = issues.length - listed.length + omitted;
    // The message, for logs, names the first few; `issues` has the rest.
    const named = listed.slice(0, MESSAGE_ISSUES);
    const rest = listed.length - named.length + omittedIssues;
    const more = rest > 0 ? `; and ${rest} more` : "";
    super(`${kind} error: ${named.map((i) => `${i.path || "/"}: ${i.message}`).join("; ")}${more}`);
    this.issues = listed;
    this.omittedIssues = omittedIssues;
  }
}

/** How many issues the message names. */
const MESSAGE_ISSUES = 10;

/** Longest path an issue keeps: a deeper one is cut to the ancestor at most this long. */
const MAX_PATH = 512;

/** An issue whose path is cut to an ancestor (nodes nested hundreds deep, or with long names). */
function shortened(issue: CallbackIssue): CallbackIssue {
  const cut = issue.path.lastIndexOf("/", MAX_PATH);
  return { path: issue.path.slice(0, Math.max(cut, 0)), message: `${issue.message} (below this node; the path is shortened)` };
}

/** Escapes one JSON Pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}
