/**
 * The inbox's own Redis scripts, beside BullMQ's: the reservation that holds what is waiting under the
 * inbox's caps (and finds duplicates before BullMQ is asked), the release of what was reserved, and the
 * counts of `stats()` in one round trip. Each runs atomically in Redis, on the keys of one queue.
 */
import type { Redis } from "ioredis";
import type { InboxClient, QueueKeys } from "./connection";

/**
 * KEYS: inbox hash, wait, active, delayed, prioritized, then a job hash and its dedup mark per entry.
 * ARGV: maxWaiting, maxWaitingBytes, then per entry its size and 1 when it has a key.
 * Per entry: 0 reserved (its bytes counted as waiting), 1 known already (queued, failed or handled), 2 refused
 * (the inbox is full). A key met twice in one call is reserved once and known the second time.
 */
const RESERVE = `
local maxWaiting = tonumber(ARGV[1])
local maxBytes = tonumber(ARGV[2])
local waiting = redis.call("LLEN", KEYS[2]) + redis.call("LLEN", KEYS[3]) + redis.call("ZCARD", KEYS[4]) + redis.call("ZCARD", KEYS[5])
local bytes = tonumber(redis.call("HGET", KEYS[1], "bytes") or "0")
local reserved = 0
local seen = {}
local out = {}
local n = (#KEYS - 5) / 2
for i = 1, n do
  local jobKey = KEYS[4 + 2 * i]
  local markKey = KEYS[5 + 2 * i]
  local size = tonumber(ARGV[1 + 2 * i])
  local keyed = ARGV[2 + 2 * i] == "1"
  if keyed and (seen[jobKey] or redis.call("EXISTS", jobKey) == 1 or redis.call("EXISTS", markKey) == 1) then
    out[i] = 1
  elseif waiting + 1 > maxWaiting or bytes + reserved + size > maxBytes then
    out[i] = 2
  else
    out[i] = 0
    waiting = waiting + 1
    reserved = reserved + size
    if keyed then seen[jobKey] = true end
  end
end
if reserved > 0 then redis.call("HINCRBY", KEYS[1], "bytes", reserved) end
return out
`;

/** KEYS: inbox hash. ARGV: bytes no longer waiting (handled, failed for good, or never stored); never below 0. */
const RELEASE = `
local left = redis.call("HINCRBY", KEYS[1], "bytes", -tonumber(ARGV[1]))
if left < 0 then redis.call("HSET", KEYS[1], "bytes", 0) end
return 0
`;

/**
 * KEYS: inbox hash, wait, active, delayed, prioritized. Sets the waiting bytes to 0 when nothing is waiting,
 * so that what a lost reply left counted (a reservation whose add was refused after it landed) does not stay.
 */
const SETTLE = `
if redis.call("LLEN", KEYS[2]) + redis.call("LLEN", KEYS[3]) + redis.call("ZCARD", KEYS[4]) + redis.call("ZCARD", KEYS[5]) == 0 then
  redis.call("HSET", KEYS[1], "bytes", 0)
end
return 0
`;

/**
 * KEYS: inbox hash, wait, active, delayed, prioritized, failed, meta, events. ARGV: the queue's key base.
 * Returns wait, active, delayed, prioritized and failed lengths, waiting bytes, the oldest waiting job's
 * timestamp (-1 when none), whether the queue was ever used (1/0), the failed jobs' data bytes, and the
 * inbox's bounds as stored (flat field/value pairs).
 */
const STATS = `
local wait = redis.call("LLEN", KEYS[2])
local oldest = -1
if wait > 0 then
  local id = redis.call("LINDEX", KEYS[2], -1)
  oldest = tonumber(redis.call("HGET", ARGV[1] .. id, "timestamp") or "-1")
end
local failedBytes = 0
for _, id in ipairs(redis.call("ZRANGE", KEYS[6], 0, -1)) do
  failedBytes = failedBytes + redis.call("HSTRLEN", ARGV[1] .. id, "data")
end
local used = (redis.call("EXISTS", KEYS[7]) + redis.call("EXISTS", KEYS[8]) + redis.call("EXISTS", KEYS[1])) > 0 and 1 or 0
return { wait, redis.call("LLEN", KEYS[3]), redis.call("ZCARD", KEYS[4]), redis.call("ZCARD", KEYS[5]), redis.call("ZCARD", KEYS[6]),
  tonumber(redis.call("HGET", KEYS[1], "bytes") or "0"), oldest, used, failedBytes, redis.call("HGETALL", KEYS[1]) }
`;

/** What {@link reserve} answers for one entry. */
export const Reservation = { Reserved: 0, Known: 1, Full: 2 } as const;

/** One of {@link Reservation}'s values. */
export type Reservation = (typeof Reservation)[keyof typeof Reservation];

/** One entry to reserve room for. */
export interface ReserveEntry {
  /** The entry's job id; undefined for a callback without a key (always a new job). */
  jobId: string | undefined;
  /** Its body's size in bytes. */
  bytes: number;
}

interface ScriptClient extends Redis {
  ciInboxReserve(...args: (string | number)[]): Promise<Reservation[]>;
  ciInboxRelease(...args: (string | number)[]): Promise<number>;
  ciInboxSettle(...args: (string | number)[]): Promise<number>;
  ciInboxStats(...args: (string | number)[]): Promise<[number, number, number, number, number, number, number, number, number, string[]]>;
}

/** Defines the scripts on `client` (once; ioredis sends EVALSHA, and the script when Redis lacks it). */
function scripted(client: InboxClient): ScriptClient {
  const scripts = client as ScriptClient;
  if (typeof scripts.ciInboxReserve !== "function") {
    client.defineCommand("ciInboxReserve", { lua: RESERVE });
    client.defineCommand("ciInboxRelease", { lua: RELEASE, numberOfKeys: 1 });
    client.defineCommand("ciInboxSettle", { lua: SETTLE, numberOfKeys: 5 });
    client.defineCommand("ciInboxStats", { lua: STATS, numberOfKeys: 8 });
  }
  return scripts;
}

/** The keys of the counts every script reads. */
function countKeys(keys: QueueKeys): string[] {
  return [keys.inbox, keys.wait, keys.active, keys.delayed, keys.prioritized];
}

/** Reserves room for `entries` under the caps, finding those the queue knows already (see {@link Reservation}). */
export function reserve(client: InboxClient, keys: QueueKeys, entries: readonly ReserveEntry[], caps: { maxWaiting: number; maxWaitingBytes: number }): Promise<Reservation[]> {
  const entryKeys: string[] = [];
  const args: (string | number)[] = [caps.maxWaiting, caps.maxWaitingBytes];
  for (const { jobId, bytes } of entries) {
    // A callback without a key has no job or mark to look for: the inbox hash stands in (same slot).
    entryKeys.push(jobId === undefined ? keys.inbox : keys.base + jobId, jobId === undefined ? keys.inbox : keys.mark(jobId));
    args.push(bytes, jobId === undefined ? 0 : 1);
  }
  return scripted(client).ciInboxReserve(5 + entryKeys.length, ...countKeys(keys), ...entryKeys, ...args);
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
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  waitingBytes: number;
  failedBytes: number;
  /** The oldest waiting job's timestamp (ms since the epoch), or undefined. */
  oldestWaitingAt: number | undefined;
  /** Whether the queue has ever been used. */
  used: boolean;
  /** The inbox's bounds as its last inbox wrote them. */
  bounds: Record<string, number>;
}

/** The counts of one queue, in one round trip. */
export async function queueCounts(client: InboxClient, keys: QueueKeys): Promise<RawCounts> {
  const [wait, active, delayed, prioritized, failed, waitingBytes, oldest, used, failedBytes, fields] = await scripted(client).ciInboxStats(
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
    waiting: wait + prioritized,
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
