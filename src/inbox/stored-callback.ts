/**
 * A callback as it is kept in the BullMQ inbox: the job's data (JSON, so a byte body is base64) and its id,
 * which is the dedup key.
 */
import type { InboxEntry } from "../receiver/callback-inbox";

/** The data of an inbox job. */
export interface StoredCallback {
  /** The raw body: UTF-8 text, or base64 of the bytes received. */
  body: string;
  /** `base64` when the listener got bytes (kept byte for byte), `utf8` when a framework handed it text. */
  bodyEncoding: "utf8" | "base64";
  /** The request's Content-Type. */
  contentType?: string;
  /** The request's `X-Ci-Content-Version`, which the worker parses with. */
  contentVersion?: string;
  /** The event names, for `ci-callback inbox failed`; the worker identifies the parsed callback again. */
  names: string[];
  /** The dedup key, of which the job id is the escaped form. */
  key?: string;
  /** When the listener stored it, in ms since the epoch. */
  receivedAt: number;
}

/** The job data of an entry. */
export function storeCallback(entry: InboxEntry, receivedAt: number): StoredCallback {
  const { rawBody } = entry;
  const text = typeof rawBody === "string";
  return {
    body: text ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString("base64"),
    bodyEncoding: text ? "utf8" : "base64",
    contentType: entry.contentType,
    contentVersion: entry.contentVersion,
    names: [...entry.names],
    key: entry.key,
    receivedAt,
  };
}

/** The body as the listener received it. */
export function storedBody(stored: StoredCallback): Uint8Array | string {
  return stored.bodyEncoding === "base64" ? new Uint8Array(Buffer.from(stored.body, "base64")) : stored.body;
}

/**
 * The job id of a dedup key. BullMQ refuses a custom id with one `:` (it reads `a:b:c` as a repeatable job's),
 * and every key has one (`TaskFinish:<digest>`): `%` and `:` are escaped as in a URL, which keeps ids of
 * different keys different.
 */
export function jobIdOfKey(key: string): string {
  return key.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"));
}
