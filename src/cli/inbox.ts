/**
 * `ci-callback inbox status|failed|retry`: looks into a durable inbox's queue (src/inbox/) on Redis. It shows
 * counts, bytes and the oldest wait, failed jobs' ids, events, attempts and last errors (every field escaped,
 * never a body), and re-queues failed jobs. A queue that was never used is said to be so (exit 1), since a
 * mistyped name would otherwise show all zeros.
 */
import type { Redis } from "ioredis";
import { createRedisClient, DEFAULT_PREFIX, isQueueName, loadBullMQ, queueKeys, redisOptions, type QueueKeys } from "../inbox/connection";
import { printable } from "../read/printable";
import { readQueueStats, sumStats, type InboxQueueStats } from "../inbox/stats";
import { isStoredCallback, type StoredCallback } from "../inbox/stored-callback";
import { systemReason } from "../read/input";
import { CliError, ExitCode, help, noMoreArguments, parseCommand, usageError, wholeNumber, type Command } from "./common";
import { redactUrl } from "./redact";

/** How long Redis may take to answer before the command gives up (exit 3). */
const REDIS_TIMEOUT_MS = 5000;

const DEFAULT_LIMIT = 100;

const actions = ["status", "failed", "retry"] as const;

/** Where the command looks. */
interface Target {
  client: Redis;
  url: string;
  queueName: string;
  prefix: string;
  keys: QueueKeys;
}

/** `ci-callback inbox`. */
export const inboxCommand: Command = {
  name: "inbox",
  synopsis: "status|failed|retry --queue NAME [--redis URL] [--limit N] [--json]",
  summary: "a durable inbox's counts, bytes and oldest wait, its failed jobs, or re-queue them",
  usage: `usage: ci-callback inbox status|failed|retry --queue NAME [--redis URL] [--prefix P] [--limit N] [--json]
Looks into the BullMQ queue of createCallbackInbox (it never prints a callback's body).
  status         callbacks waiting, active, delayed, failed, and handled (dedup marks kept); the oldest
                 wait; the bytes held; the inbox's bounds
  failed         the failed jobs (attempts exhausted), oldest first: id, event (EventName, Tag, JobId, RunId
                 or trace_id), attempts, when, last error; every field escaped
  retry          re-queues the failed jobs, oldest first, each with its attempts counted from 0 again
  --queue NAME   the inbox's queueName (required)
  --redis URL    default redis://127.0.0.1:6379
  --prefix P     the inbox's prefix, default ${DEFAULT_PREFIX}
  --limit N      at most N jobs for failed and retry, default ${DEFAULT_LIMIT}
  --json         status as JSON: { total, queues: [{ queueName, waiting, … }] }
Exit 1 when the queue was never used (a mistyped --queue or --prefix), 3 when Redis cannot be reached
within ${REDIS_TIMEOUT_MS / 1000} s.`,
  run(args) {
    const parsed = parseCommand(args, {
      redis: { type: "string" },
      queue: { type: "string" },
      prefix: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean" },
    });
    if (parsed === undefined) return help(this);
    const [action, ...extra] = parsed.positionals;
    if (action === undefined) throw usageError("an action is required: status, failed or retry");
    if (!actions.includes(action as (typeof actions)[number])) throw usageError(`unknown action "${action}": status, failed or retry`);
    noMoreArguments(extra);
    const { values } = parsed;
    const queueName = values.queue;
    if (queueName === undefined) throw usageError("--queue is required");
    if (!isQueueName(queueName)) throw usageError(`--queue must be a name without ":", not "${queueName}"`);
    const url = values.redis ?? "redis://127.0.0.1:6379";
    if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) throw usageError(`--redis must be a redis:// or rediss:// URL, not "${redactUrl(url)}"`);
    const limit = wholeNumber("--limit", values.limit, DEFAULT_LIMIT, 1, 1_000_000);
    const json = values.json === true;
    if (json && action !== "status") throw usageError("--json is for status");
    const prefix = values.prefix ?? DEFAULT_PREFIX;
    return withRedis(url, async (client) => {
      const target: Target = { client, url, queueName, prefix, keys: queueKeys(prefix, queueName) };
      if (action === "status") return status(target, json);
      if (action === "failed") return failed(target, limit);
      return retry(target, limit);
    });
  },
};

/** Runs `body` with a connection to Redis, within {@link REDIS_TIMEOUT_MS}; a Redis that does not answer is exit 3. */
async function withRedis(url: string, body: (client: Redis) => Promise<number>): Promise<number> {
  // No reconnecting and no queued commands: a Redis that is not there is an answer, not something to wait for.
  const client = createRedisClient(url, { enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: REDIS_TIMEOUT_MS, lazyConnect: true });
  let lastError: Error | undefined;
  client.on("error", (error: Error) => {
    lastError = error;
  });
  let timeout: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timeout = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  try {
    try {
      await Promise.race([client.connect(), deadline]);
    } catch (error) {
      throw new CliError(ExitCode.io, `cannot reach Redis at ${redactUrl(url)}: ${systemReason(lastError ?? error)}`);
    }
    return await Promise.race([body(client), deadline]);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.io, `Redis at ${redactUrl(url)} failed: ${systemReason(lastError ?? error)}`);
  } finally {
    clearTimeout(timeout);
    client.disconnect();
  }
}

/** The queue's stats, or exit 1 when it was never used. */
async function usedQueue(target: Target): Promise<InboxQueueStats> {
  const stats = await readQueueStats(target.client, target.keys, target.queueName);
  if (!stats.used) {
    throw new CliError(
      ExitCode.invalid,
      `queue "${printable(target.queueName)}" (prefix "${printable(target.prefix)}") at ${redactUrl(target.url)} has never been used: ` +
        "no inbox or job on it; check --queue, --prefix and --redis",
    );
  }
  return stats;
}

async function status(target: Target, json: boolean): Promise<number> {
  const stats = await usedQueue(target);
  if (json) {
    process.stdout.write(`${JSON.stringify({ total: sumStats([stats]), queues: [stats] }, null, 2)}\n`);
    return ExitCode.ok;
  }
  const rows: [string, string][] = [
    ["waiting", String(stats.waiting)],
    ["active", String(stats.active)],
    ["delayed", String(stats.delayed)],
    ["failed", String(stats.failed)],
    ["handled", String(stats.handled)],
    ["oldest waiting", stats.oldestWaitingMs === null ? "-" : `${stats.oldestWaitingMs} ms`],
    ["waiting bytes", String(stats.waitingBytes)],
    ["failed bytes", String(stats.failedBytes)],
    ...Object.entries(stats.bounds).map(([name, value]): [string, string] => [printable(name), String(value)]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}\n`);
  return ExitCode.ok;
}

/** A failed job as read from its hash, without trusting its data. */
interface FailedRow {
  id: string;
  name: string | null;
  data: StoredCallback | undefined;
  attempts: string | null;
  finishedOn: string | null;
  reason: string | null;
}

/** The oldest `limit` failed jobs (BullMQ scores them by when they failed). */
async function oldestFailed(target: Target, limit: number): Promise<FailedRow[]> {
  const ids = await target.client.zrange(target.keys.failed, "0", String(limit - 1));
  const pipeline = target.client.pipeline();
  for (const id of ids) pipeline.hmget(target.keys.base + id, "name", "data", "atm", "finishedOn", "failedReason");
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((id, i) => {
    const [name = null, data = null, attempts = null, finishedOn = null, reason = null] = (replies[i]?.[1] as (string | null)[] | undefined) ?? [];
    return { id, name, data: readData(data), attempts, finishedOn, reason };
  });
}

/** Job data that is an inbox callback, or undefined (not JSON, or another shape). */
function readData(text: string | null): StoredCallback | undefined {
  if (text === null) return undefined;
  try {
    const data: unknown = JSON.parse(text);
    return isStoredCallback(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

async function failed(target: Target, limit: number): Promise<number> {
  const { failed: total } = await usedQueue(target);
  const rows = await oldestFailed(target, limit);
  process.stdout.write(`${total} failed${rows.length < total ? `, the oldest ${rows.length} shown` : ""}\n`);
  for (const row of rows) {
    const when = row.finishedOn === null || !Number.isFinite(Number(row.finishedOn)) ? "-" : new Date(Number(row.finishedOn)).toISOString();
    const fields = [printable(row.id), describeEvent(row), `attempts ${printable(row.attempts ?? "0")}`, when, printable(row.reason ?? "")];
    // failedReason is the handler's error message: the user's words, never the body.
    process.stdout.write(`${fields.join("  ")}\n`);
  }
  return ExitCode.ok;
}

/** The event a failed job holds: `TaskFinish Transcode j-123 (key TaskFinish:…)`, or that its data is unreadable. */
function describeEvent(row: FailedRow): string {
  if (row.data === undefined) return `(data unreadable${row.name === null ? "" : `; job name ${printable(row.name)}`})`;
  const { event, key, names } = row.data;
  const label = event === undefined ? names.slice(-1) : [event.name, event.tag, event.id];
  const parts = label.filter((part): part is string => part !== undefined).map((part) => printable(part));
  return `${parts.length === 0 ? "(unnamed)" : parts.join(" ")}${key === undefined ? "" : ` (key ${printable(key)})`}`;
}

async function retry(target: Target, limit: number): Promise<number> {
  await usedQueue(target);
  const rows = await oldestFailed(target, limit);
  const { Queue, Job } = loadBullMQ();
  const queue = new Queue(target.queueName, { connection: redisOptions(target.url, { enableOfflineQueue: false, retryStrategy: () => null }), prefix: target.prefix });
  queue.on("error", () => undefined);
  let requeued = 0;
  try {
    for (const row of rows) {
      if (row.data === undefined) {
        process.stdout.write(`${printable(row.id)}: data unreadable, left as failed\n`);
        continue;
      }
      const job = await Job.fromId(queue, row.id);
      if (job === undefined) continue;
      await job.retry("failed", { resetAttemptsMade: true });
      // Waiting again: its body counts against maxWaitingBytes until a worker has handled it.
      if (typeof row.data.bytes === "number") await target.client.hincrby(target.keys.inbox, "bytes", String(row.data.bytes));
      requeued++;
    }
  } finally {
    await queue.close().catch(() => undefined);
  }
  process.stdout.write(`re-queued ${requeued} failed job${requeued === 1 ? "" : "s"}\n`);
  return ExitCode.ok;
}
