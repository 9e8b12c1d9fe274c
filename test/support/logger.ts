/** A logger for tests: keeps each line the package writes, by level. */
import type { CallbackLogger } from "../../src";

/** A stack frame as V8 prints it: no line a level below `debug` may hold one. */
export const STACK_FRAME = /\n\s+at /;

/** A logger with every level, and the lines written to each. */
export function recordingLogger() {
  const lines = { error: [] as string[], warn: [] as string[], info: [] as string[], debug: [] as string[] };
  const logger: Required<CallbackLogger> = {
    error: (message) => lines.error.push(message),
    warn: (message) => lines.warn.push(message),
    info: (message) => lines.info.push(message),
    debug: (message) => lines.debug.push(message),
  };
  return { lines, logger };
}
