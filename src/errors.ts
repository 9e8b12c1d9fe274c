/** What went wrong, in one word: the body could not be read, it broke the schema, or it broke a limit. */
export type CallbackErrorKind = "parse" | "validation" | "limit";

/** One problem found in a callback body. */
export interface CallbackIssue {
  /** JSON Pointer (RFC 6901) into the canonical object; `""` is the whole body. */
  path: string;
  /** What is wrong, in words that never quote the body. */
  message: string;
}

/**
 * The one error type of this package: every bad input ends here, never in a crash or a partial object.
 * Messages name the problem and its path but never echo the body, so they are safe to log.
 */
export class CallbackError extends Error {
  override readonly name = "CallbackError";

  constructor(
    /** Whether reading, validation or a limit failed. */
    readonly kind: CallbackErrorKind,
    /** Every problem found, each with its JSON Pointer path. */
    readonly issues: readonly CallbackIssue[],
  ) {
    super(`${kind} error: ${issues.map((i) => `${i.path || "/"}: ${i.message}`).join("; ")}`);
  }
}

/** Escapes one JSON Pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}
