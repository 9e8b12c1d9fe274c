/**
 * The inbox's own Redis scripts, beside BullMQ's: the listener's add (duplicates found, the caps held, the
 * new callbacks appended to the ingest stream), the mover's last step once their jobs exist, the release of
 * what is no longer waiting, and the counts of `stats()` in one round trip. Each runs atomically in Redis, on
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
 * The mover's last step for entries whose jobs now exist. KEYS: ingest stream, then the ingest marks of the
 * keyed entries. ARGV: the consumer group, then the entries' ids. Acknowledges and deletes the entries and
 * deletes their ingest marks (the jobs, or their dedup marks, answer for them from now on).
 */
const MOVED = `
local ids = {}
for i = 2, #ARGV do ids[i - 1] = ARGV[i] end
if #ids > 0 then
  redis.call("XACK", KEYS[1], ARGV[1], unpack(ids))
  redis.call("XDEL", KEYS[1], unpack(ids))
end
if #KEYS > 1 then redis.call("DEL", unpack(KEYS, 2)) end
return #ids
`;

/** KEYS: inbox hash. ARGV: bytes no longer waiting (handled, failed for good, or never stored); never below 0. */
const RELEASE = `
local left = redis.call("HINCRBY", KEYS[1], "bytes", -tonumber(ARGV[1]))
if left < 0 then redis.call("HSET", KEYS[1], "bytes", 0) end
return 0
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
 * key base. Returns wait, active, delayed, prioritized and failed lengths, waiting bytes, the oldest waiting
 * callback's time (ms since the epoch, -1 when none: the oldest job's timestamp, or the oldest ingest entry's
 * id), whether the queue was ever used (1/0), the failed jobs' data bytes, the inbox's bounds as stored (flat
 * field/value pairs), and the ingest stream's length.
 */
const STATS = `
local wait = redis.call("LLEN", KEYS[2])
local oldest = -1
if wait > 0 then
  local id = redis.call("LINDEX", KEYS[2], -1)
  oldest = tonumber(redis.call("HGET", ARGV[1] .. id, "timestamp") or "-1")
end
local ingesting = redis.call("XLEN", KEYS[6])
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
  tonumber(redis.call("HGET", KEYS[1], "bytes") or "0"), oldest, used, failedBytes, redis.call("HGETALL", KEYS[1]), ingesting }
`;

/** The listener's add is sent written in a reused buffer: its command is the batch's bodies (src/inbox/encoded-script.ts). */
const ingestScript = encodedScript(INGEST);

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
  ciInboxMoved(...args: (string | number)[]): Promise<number>;
  ciInboxRelease(...args: (string | number)[]): Promise<number>;
  ciInboxSettle(...args: (string | number)[]): Promise<number>;
  ciInboxStats(...args: (string | number)[]): Promise<[number, number, number, number, number, number, number, number, number, string[], number]>;
}

/** Defines the scripts on `client` (once; ioredis sends EVALSHA, and the script when Redis lacks it). */
function scripted(client: InboxClient): ScriptClient {
  const scripts = client as ScriptClient;
  if (typeof scripts.ciInboxMoved !== "function") {
    client.defineCommand("ciInboxMoved", { lua: MOVED });
    client.defineCommand("ciInboxRelease", { lua: RELEASE, numberOfKeys: 1 });
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

/** Acknowledges and deletes ingest entries whose jobs exist, with the ingest marks of `jobIds` (the keyed ones). */
export async function moved(client: InboxClient, keys: QueueKeys, group: string, entryIds: readonly string[], jobIds: readonly string[]): Promise<void> {
  await scripted(client).ciInboxMoved(1 + jobIds.length, keys.ingest, ...jobIds.map((jobId) => keys.ingestMark(jobId)), group, ...entryIds);
}

/** Counts `bytes` as no longer waiting. */
export async function release(client: InboxClient, keys: QueueKeys, bytes: number): Promise<void> {
  if (bytes > 0) await scripted(client).ciInboxRelease(keys.inbox, bytes);
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
  active: number;
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
  const [wait, active, delayed, prioritized, failed, waitingBytes, oldest, used, failedBytes, fields, ingesting] = await scripted(client).ciInboxStats(
    ...countKeys(keys),
    keys.failed,
    keys.meta,
    keys.events,
    keys.base,
  );
  const bounds: Record<string, number> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as string;
    if (name !== "bytes") bounds[name] = Number(fields[i + 1]);
  }
  return {
    waiting: wait + prioritized + ingesting,
    ingesting,
    active,
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
