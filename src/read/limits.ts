/**
 * Reading the numeric options (limits, timeouts, time-to-live) once, when they are given: a value that is not
 * a whole number in its range is refused there and then, since NaN or a negative number would otherwise turn
 * a limit off silently, and a timer past 2^31 - 1 ms fires at once.
 */

/** The deepest nesting `maxDepth` may allow: past it, walking a body could overflow the stack. */
export const MAX_DEPTH_LIMIT = 1000;
/** The largest `maxBytes`: 1 GiB. */
export const MAX_BYTES_LIMIT = 1024 * 1024 * 1024;
/** The longest a Node timer can wait, in ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The range of one option. */
export interface OptionRange {
  min: number;
  max: number;
}

/**
 * The value of a numeric option, or `fallback` when it is undefined.
 * @throws TypeError when it is not a number; RangeError when it is not a whole number from `min` to `max`.
 */
export function wholeNumberOption(name: string, value: unknown, fallback: number, range: OptionRange): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, not ${typeof value}`);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new RangeError(`${name} must be a whole number from ${range.min} to ${range.max}, not ${value}`);
  }
  return value;
}
