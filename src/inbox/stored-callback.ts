/**
 * A callback as it is kept in the BullMQ inbox: the job's data and its id, which is the dedup key. The body
 * is kept once, as the UTF-8 text it is (BullMQ stores job data as JSON, which escapes only quotes,
 * backslashes and control characters); only a body that is not UTF-8 is kept as base64. Until the worker's
 * mover makes its job, the ingest stream holds it in two parts: the body's bytes as received, and the rest.
 */
import { isUtf8 } from "node:buffer";
import type { ReceivedCallback } from "../receiver/events";
import type { InboxEntry, InboxEvent } from "../receiver/callback-inbox";

/** The data of an inbox job. */
export interface StoredCallback {
  /** The raw body: its UTF-8 text, or base64 of the bytes received when they are not UTF-8. */
  body: string;
  /**
   * `utf8`: the listener got text (a framework's parser); `bytes`: it got bytes, which are `body`'s UTF-8;
   * `base64`: bytes that are not UTF-8 (jobs stored before 0.2 were all base64).
   */
  bodyEncoding: "utf8" | "bytes" | "base64";
  /** What the job holds, in bytes, as `maxWaitingBytes` counts it ({@link heldBytes}). Absent in jobs stored before 0.2. */
  bytes?: number;
  /** The request's Content-Type. */
  contentType?: string;
  /** The request's `X-Ci-Content-Version`, which the worker parses with. */
  contentVersion?: string;
  /** The event names, most general first; the worker dispatches under them. */
  names: string[];
  /** The dedup key, of which the job id is the escaped form. */
  key?: string;
  /** What names the event for people (`inbox failed`, logs). Absent in jobs stored before 0.2. */
  event?: InboxEvent;
  /** When the listener stored it, in ms since the epoch. */
  receivedAt: number;
  /** The canonical object the listener validated (JSON keeps it exactly); absent in jobs stored before 0.2. */
  callback?: ReceivedCallback;
  /** Attempts made before it became a job: 1 when its first, straight from the ingest stream, failed. */
  attemptsBefore?: number;
}

/** The job data of an entry, whole, as a job holds it (the mover makes it of {@link ingestedCallback}'s parts). */
export function storeCallback(entry: InboxEntry, receivedAt: number): StoredCallback {
  const { rawBody } = entry;
  let body: string;
  let bodyEncoding: StoredCallback["bodyEncoding"];
  if (typeof rawBody === "string") {
    body = rawBody;
    bodyEncoding = "utf8";
  } else {
    const bytes = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
    bodyEncoding = isUtf8(bytes) ? "bytes" : "base64";
    body = bytes.toString(bodyEncoding === "bytes" ? "utf8" : "base64");
  }
  return { body, ...storedFields(entry, receivedAt, bodyEncoding) };
}

/** The job data of an entry but its body. */
function storedFields(entry: InboxEntry, receivedAt: number, bodyEncoding: StoredCallback["bodyEncoding"]): Omit<StoredCallback, "body"> {
  const stored: Omit<StoredCallback, "body"> = { bodyEncoding, bytes: heldBytes(entry), names: [...entry.names], receivedAt };
  if (entry.contentType !== undefined) stored.contentType = entry.contentType;
  if (entry.contentVersion !== undefined) stored.contentVersion = entry.contentVersion;
  if (entry.key !== undefined) stored.key = entry.key;
  if (entry.event !== undefined) stored.event = entry.event;
  if (entry.callback !== undefined) stored.callback = entry.callback;
  return stored;
}

/** A callback as the listener appends it to the ingest stream: its body as received, and the rest of its job data. */
export interface IngestedCallback {
  /** The body as received: bytes are kept as they are (no copy, no encoding), text as text. */
  body: Buffer | string;
  /** The job data but its body, as JSON; its `bodyEncoding` is `utf8` for text, `bytes` for bytes. */
  rest: string;
}

/** The parts of an entry the listener stores ({@link IngestedCallback}); {@link joinIngested} makes the job data of them. */
export function ingestedCallback(entry: InboxEntry, receivedAt: number): IngestedCallback {
  const { rawBody } = entry;
  const text = typeof rawBody === "string";
  const rest = storedFields(entry, receivedAt, text ? "utf8" : "bytes");
  return { body: text ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength), rest: JSON.stringify(rest) };
}

/**
 * The job data of a callback read back from the ingest stream: `body` as Redis returns it (bytes), `rest` as
 * {@link ingestedCallback} wrote it; bytes that are not UTF-8 are kept as base64, as {@link storeCallback} does.
 * @throws SyntaxError when `rest` is not JSON.
 */
export function joinIngested(body: Buffer, rest: string): StoredCallback {
  const data = JSON.parse(rest) as StoredCallback;
  if (data.bodyEncoding === "bytes" && !isUtf8(body)) {
    data.bodyEncoding = "base64";
    data.body = body.toString("base64");
  } else data.body = body.toString("utf8");
  return data;
}

/**
 * What a waiting entry holds in Redis, as the inbox's caps count it: its body, and as much again for the
 * canonical object stored beside it (about the body's size for JSON, less for XML; measured, a waiting seed
 * callback takes 2.0 times its body of Redis's memory).
 */
export function heldBytes(entry: Pick<InboxEntry, "rawBody" | "callback">): number {
  const size = typeof entry.rawBody === "string" ? Buffer.byteLength(entry.rawBody) : entry.rawBody.byteLength;
  return entry.callback === undefined ? size : 2 * size;
}

/** The body as the listener received it: bytes when it got bytes, text when it got text. */
export function storedBody(stored: StoredCallback): Uint8Array | string {
  if (stored.bodyEncoding === "utf8") return stored.body;
  const bytes = Buffer.from(stored.body, stored.bodyEncoding === "bytes" ? "utf8" : "base64");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether job data read back from Redis has the shape of a {@link StoredCallback} (a worker trusts no more). */
export function isStoredCallback(data: unknown): data is StoredCallback {
  if (typeof data !== "object" || data === null) return false;
  const { body, bodyEncoding, names } = data as Partial<Record<keyof StoredCallback, unknown>>;
  return (
    typeof body === "string" &&
    (bodyEncoding === "utf8" || bodyEncoding === "bytes" || bodyEncoding === "base64") &&
    Array.isArray(names) &&
    names.every((name) => typeof name === "string")
  );
}

/** {@link StoredCallback.attemptsBefore} of job data read back from Redis (0 when absent or not a count). */
export function attemptsBefore(data: unknown): number {
  const before = (data as Partial<StoredCallback> | null | undefined)?.attemptsBefore;
  return typeof before === "number" && Number.isSafeInteger(before) && before >= 0 ? before : 0;
}

/**
 * The job id of a dedup key. BullMQ refuses a custom id with one `:` (it reads `a:b:c` as a repeatable job's),
 * and every key has one (`TaskFinish:<digest>`): `%` and `:` are escaped as in a URL, which keeps ids of
 * different keys different.
 */
export function jobIdOfKey(key: string): string {
  return key.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"));
}
