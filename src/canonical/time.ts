/** Turns CI's time text into a Date, using the pattern of the `ci-time` format from schema/formats.json. */
import { ciTimePattern } from "../../generated/formats";

/**
 * Converts a CI time (`2022-06-30T20:02:17+0800`, `2022-08-09 14:54:17+0800`) to a `Date`;
 * `"-"` (a job that never started) gives `undefined`.
 * @throws RangeError when the text is not a CI time or names a day that does not exist (2022-02-30).
 */
export function parseCiTime(value: string): Date | undefined {
  const groups = ciTimePattern.exec(value)?.groups;
  if (value === "-") return undefined;
  if (!groups) throw new RangeError("not a CI time");
  const { year, month, day, hour, minute, second, fraction = "", zone } = groups;
  const millis = Math.floor(Number(`0${fraction}`) * 1000);
  const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const utc = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second, millis);
  const date = new Date(utc - offset * 60_000);
  if (new Date(utc).getUTCDate() !== +day) throw new RangeError("not a CI time: no such day");
  return date;
}
