/**
 * The inbox's own Redis scripts, beside BullMQ's: the listener's add (duplicates found, the caps held, the
 * new callbacks appended to the ingest stream), the worker's last step for the entries it is done with (which
 * also releases what is no longer waiting), and the counts of `stats()` in one round trip. Each runs atomically in Redis, on
 * the keys of one queue (one hash tag: one slot on a cluster).
 */
import type { Redis } from "ioredis";
import type { InboxClient, QueueKeys } from "./connection";
import { encodedScript, type ScriptArgument } from "./encoded-script";

/**
 * The listener's add of one batch. KEYS: inbox hash, wait, active, delayed, prioritized, ingest stream, then a
 * job hash, its dedup mark and its ingest mark per entry. ARGV: maxWaiting, maxWaitingBytes, the dedup mark's
 * TTL, maxFailed, then per entry its size, its job id ("" for a callback without a key), its job name, its
 * body and the rest of its job data (JSON). Per entry: 0 stored (appended to the ingest stream, its bytes counted as waiting), 1 known
 * already (waiting in the stream or the queue, failed, or handled), 2 refused (the inbox is full). What waits
 * counts the ingest stream beside BullMQ's lists; a key met twice in one call is stored once (its ingest mark
 * is set by the first).
 */
const INGEST = `
local maxWaiting = tonumber(ARGV[1])
local maxBytes = tonumber(ARGV[2])
local waiting = redis.call("LLEN", KEYS[2]) + redis.call("LLEN", KEYS[3]) + redis.call("ZCARD", KEYS[4]) + redis.call("ZCARD", KEYS[5]) + redis.call("XLEN", KEYS[6])
local bytes = tonumber(redis.call("HGET", KEYS[1], "bytes") or "0")
local added = 0
local out = {}
local n = (#KEYS - 6) / 3
for i = 1, n do
  local ingestMark = KEYS[6 + 3 * i]
  local size = tonumber(ARGV[5 * i])
  local jobId = ARGV[1 + 5 * i]
  local keyed = jobId ~= ""
  if keyed and redis.call("EXISTS", KEYS[4 + 3 * i], KEYS[5 + 3 * i], ingestMark) > 0 then
    out[i] = 1
  elseif waiting + 1 > maxWaiting or bytes + added + size > maxBytes then
    out[i] = 2
  else
    local id = redis.call("XADD", KEYS[6], "*", "j", jobId, "n", ARGV[2 + 5 * i], "b", ARGV[3 + 5 * i], "r", ARGV[4 + 5 * i], "t", ARGV[3], "f", ARGV[4])
    if keyed then redis.call("SET", ingestMark, id, "PX", ARGV[3]) end
    out[i] = 0
    waiting = waiting + 1
    added = added + size
  end
end
if added > 0 then redis.call("HINCRBY", KEYS[1], "bytes", added) end
return out
`;

/**
 * The last step for ingest entries the worker is done with: those whose jobs now exist (moved) and those
 * handled straight from the stream. KEYS: ingest stream, inbox hash, the ingest marks of the keyed entries,
 * then the dedup marks to set. ARGV: the consumer group, the bytes no longer waiting, how many ingest marks,
 * how many dedup marks, each dedup mark's value (its job id) and time-to-live in ms, then the entries' ids.
 * Sets the dedup marks (a redelivery of a handled callback is a duplicate from now on), acknowledges and
 * deletes the entries, deletes their ingest marks (the jobs, or the dedup marks, answer for them from now on)
 * and counts the bytes off what waits (never below 0).
 */
const FINISHED = `
local ingestMarks = tonumber(ARGV[3])
local marks = tonumber(ARGV[4])
for i = 1, marks do
  redis.call("SET", KEYS[2 + ingestMarks + i], ARGV[3 + 2 * i], "PX", ARGV[4 + 2 * i])
end
local ids = {}
for i = 5 + 2 * marks, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids > 0 then
  redis.call("XACK", KEYS[1], ARGV[1], unpack(ids))
  redis.call("XDEL", KEYS[1], unpack(ids))
end
if ingestMarks > 0 then redis.call("DEL", unpack(KEYS, 3, 2 + ingestMarks)) end
local released = tonumber(ARGV[2])
if released > 0 and redis.call("HINCRBY", KEYS[2], "bytes", -released) < 0 then redis.call("HSET", KEYS[2], "bytes", 0) end
return #ids
`;

/**
 * KEYS: inbox hash, wait, active, delayed, prioritized, ingest stream. Sets the waiting bytes to 0 when nothing
 * is waiting, so that what a lost count left (bytes of a job whose release was lost) does not stay.
 */
const SETTLE = `
if redis.call("LLEN", KEYS[2]) + redis.call("LLEN", KEYS[3]) + redis.call("ZCARD", KEYS[4]) + redis.call("ZCARD", KEYS[5]) + redis.call("XLEN", KEYS[6]) == 0 then
  redis.call("HSET", KEYS[1], "bytes", 0)
end
return 0
`;

/**
 * KEYS: inbox hash, wait, active, delayed, prioritized, ingest stream, failed, meta, events. ARGV: the queue's
 * key base, the movers' consumer group. Returns wait, active, delayed, prioritized and failed lengths, waiting bytes, the oldest waiting
 * callback's time (ms since the epoch, -1 when none: the oldest job's timestamp, or the oldest ingest entry's
 * id), whether the queue was ever used (1/0), the failed jobs' data bytes, the inbox's bounds as stored (flat
 * field/value pairs), the ingest stream's length, and how many of its entries movers hold (being handled).
 */
const STATS = `
local wait = redis.call("LLEN", KEYS[2])
local oldest = -1
if wait > 0 then
  local id = redis.call("LINDEX", KEYS[2], -1)
  oldest = tonumber(redis.call("HGET", ARGV[1] .. id, "timestamp") or "-1")
end
local ingesting = redis.call("XLEN", KEYS[6])
local handling = 0
if ingesting > 0 then
  local pending = redis.pcall("XPENDING", KEYS[6], ARGV[2])
  if type(pending) == "table" and pending.err == nil then handling = pending[1] end
end
if ingesting > 0 then
  local first = redis.call("XRANGE", KEYS[6], "-", "+", "COUNT", 1)[1]
  local at = tonumber(string.match(first[1], "^(%d+)"))
  if oldest < 0 or at < oldest then oldest = at end
end
local failedBytes = 0
for _, id in ipairs(redis.call("ZRANGE", KEYS[7], 0, -1)) do
  failedBytes = failedBytes + redis.call("HSTRLEN", ARGV[1] .. id, "data")
end
local used = (redis.call("EXISTS", KEYS[8]) + redis.call("EXISTS", KEYS[9]) + redis.call("EXISTS", KEYS[1]) + redis.call("EXISTS", KEYS[6])) > 0 and 1 or 0
return { wait, redis.call("LLEN", KEYS[3]), redis.call("ZCARD", KEYS[4]), redis.call("ZCARD", KEYS[5]), redis.call("ZCARD", KEYS[7]),
  tonumber(redis.call("HGET", KEYS[1], "bytes") or "0"), oldest, used, failedBytes, redis.call("HGETALL", KEYS[1]), ingesting, handling }
`;

/** The listener's add is sent written in a reused buffer: its command is the batch's bodies (src/inbox/encoded-script.ts). */
const ingestScript = encodedScript(INGEST);

/** The consumer group every mover of a queue reads its ingest stream in. */
export const MOVER_GROUP = "ci-mover";

/** What {@link ingest} answers for one entry. */
export const Ingested = { Stored: 0, Known: 1, Full: 2 } as const;

/** One of {@link Ingested}'s values. */
export type Ingested = (typeof Ingested)[keyof typeof Ingested];

/** One callback to store. */
export interface IngestEntry {
  /** The entry's job id; undefined for a callback without a key (never a duplicate). */
  jobId: string | undefined;
  /** Its job's name. */
  name: string;
  /** Its body as received. */
  body: Buffer | string;
  /** The rest of its job's data, as JSON. */
  rest: string;
  /** What it holds, as `maxWaitingBytes` counts it. */
  bytes: number;
}

/** What every ingest entry carries beside its callback: the options of the job it becomes. */
export interface IngestBounds {
  maxWaiting: number;
  maxWaitingBytes: number;
  /** The dedup mark's TTL, in ms. */
  markTtlMs: number;
  maxFailed: number;
}

interface ScriptClient extends Redis {
  ciInboxFinished(...args: (string | number)[]): Promise<number>;
  ciInboxSettle(...args: (string | number)[]): Promise<number>;
  ciInboxStats(...args: (string | number)[]): Promise<[number, number, number, number, number, number, number, number, number, string[], number, number]>;
}

/** Defines the scripts on `client` (once; ioredis sends EVALSHA, and the script when Redis lacks it). */
function scripted(client: InboxClient): ScriptClient {
  const scripts = client as ScriptClient;
  if (typeof scripts.ciInboxFinished !== "function") {
    client.defineCommand("ciInboxFinished", { lua: FINISHED });
    client.defineCommand("ciInboxSettle", { lua: SETTLE, numberOfKeys: 6 });
    client.defineCommand("ciInboxStats", { lua: STATS, numberOfKeys: 9 });
  }
  return scripts;
}

/** The keys of the counts every script reads. */
function countKeys(keys: QueueKeys): string[] {
  return [keys.inbox, keys.wait, keys.active, keys.delayed, keys.prioritized, keys.ingest];
}

/** Stores `entries` in the ingest stream under the caps, finding those the queue knows already (see {@link Ingested}). */
export function ingest(client: InboxClient, keys: QueueKeys, entries: readonly IngestEntry[], bounds: IngestBounds): Promise<Ingested[]> {
  const entryKeys: string[] = [];
  const args: ScriptArgument[] = [bounds.maxWaiting, bounds.maxWaitingBytes, bounds.markTtlMs, bounds.maxFailed];
  for (const { jobId, name, body, rest, bytes } of entries) {
    // A callback without a key has no job or marks to look for: the inbox hash stands in (same slot).
    if (jobId === undefined) entryKeys.push(keys.inbox, keys.inbox, keys.inbox);
    else entryKeys.push(keys.base + jobId, keys.mark(jobId), keys.ingestMark(jobId));
    args.push(bytes, jobId ?? "", name, body, rest);
  }
  return ingestScript.run(client, [...countKeys(keys), ...entryKeys], args) as Promise<Ingested[]>;
}

/** Ingest entries the worker is done with: their ids, the ingest marks to delete, the dedup marks to set. */
export interface FinishedEntries {
  entryIds: readonly string[];
  /** The job ids of the keyed entries, whose ingest marks go. */
  ingestMarks: readonly string[];
  /** Dedup marks of callbacks handled straight from the stream: each one's job id and how long it is kept, in ms. */
  marks: readonly { jobId: string; ttlMs: number }[];
  /** Bytes no longer waiting (those handled; a moved entry's job releases its own when it finishes). */
  releasedBytes: number;
}

/** Acknowledges and deletes ingest entries the worker is done with, in one step (see FINISHED). */
export async function finishEntries(client: InboxClient, keys: QueueKeys, group: string, finished: FinishedEntries): Promise<void> {
  const { entryIds, ingestMarks, marks, releasedBytes } = finished;
  await scripted(client).ciInboxFinished(
    2 + ingestMarks.length + marks.length,
    keys.ingest,
    keys.inbox,
    ...ingestMarks.map((jobId) => keys.ingestMark(jobId)),
    ...marks.map(({ jobId }) => keys.mark(jobId)),
    group,
    releasedBytes,
    ingestMarks.length,
    marks.length,
    ...marks.flatMap(({ jobId, ttlMs }) => [jobId, ttlMs]),
    ...entryIds,
  );
}

/** Counts `bytes` as no longer waiting (never below 0): FINISHED with no entry. */
export async function release(client: InboxClient, keys: QueueKeys, bytes: number): Promise<void> {
  if (bytes > 0) await finishEntries(client, keys, MOVER_GROUP, { entryIds: [], ingestMarks: [], marks: [], releasedBytes: bytes });
}

/** Resets the waiting bytes when nothing waits (see SETTLE). */
export async function settle(client: InboxClient, keys: QueueKeys): Promise<void> {
  await scripted(client).ciInboxSettle(...countKeys(keys));
}

/** The raw counts of {@link queueCounts}. */
export interface RawCounts {
  /** Waiting in BullMQ's lists and in the ingest stream. */
  waiting: number;
  /** Of them, in the ingest stream (no dedup mark yet). */
  ingesting: number;
  /** Being handled: active jobs, and the ingest entries movers hold. */
  active: number;
  /** Of them, ingest entries (no dedup mark yet). */
  handling: number;
  delayed: number;
  failed: number;
  waitingBytes: number;
  failedBytes: number;
  /** When the oldest waiting callback was stored (ms since the epoch), or undefined. */
  oldestWaitingAt: number | undefined;
  /** Whether the queue has ever been used. */
  used: boolean;
  /** The inbox's bounds as its last inbox wrote them. */
  bounds: Record<string, number>;
}

/** The counts of one queue, in one round trip. */
export async function queueCounts(client: InboxClient, keys: QueueKeys): Promise<RawCounts> {
  const [wait, active, delayed, prioritized, failed, waitingBytes, oldest, used, failedBytes, fields, streamed, held] = await scripted(client).ciInboxStats(
    ...countKeys(keys),
    keys.failed,
    keys.meta,
    keys.events,
    keys.base,
    MOVER_GROUP,
  );
  const bounds: Record<string, number> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as string;
    if (name !== "bytes") bounds[name] = Number(fields[i + 1]);
  }
  const ingesting = streamed - held;
  return {
    waiting: wait + prioritized + ingesting,
    ingesting,
    active: active + held,
    handling: held,
    delayed,
    failed,
    waitingBytes,
    failedBytes,
    oldestWaitingAt: oldest < 0 ? undefined : oldest,
    used: used === 1,
    bounds,
  };
}

/** The dedup marks kept (SCAN over the queue's marks: O(marks), a few hundred thousand a second). */
export async function countMarks(client: Redis, keys: QueueKeys): Promise<number> {
  let count = 0;
  let cursor = "0";
  do {
    const [next, found] = await client.scan(cursor, "MATCH", `${escapeGlob(keys.base)}de:*`, "COUNT", 10_000);
    count += found.length;
    cursor = next;
  } while (cursor !== "0");
  return count;
}

/** `text` matched literally in a SCAN pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
