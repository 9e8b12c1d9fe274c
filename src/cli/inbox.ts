/**
 * `ci-callback inbox status|failed|retry`: looks into a durable inbox's queue (src/inbox/) on Redis. It shows
 * counts, bytes and the oldest wait, failed jobs' ids, events, attempts and last errors (every field escaped,
 * never a body), and re-queues failed jobs. A queue that was never used is said to be so (exit 1), since a
 * mistyped name would otherwise show all zeros.
 */
import type { RedisOptions } from "ioredis";
import {
  bullmqConnection,
  createRedisClient,
  DEFAULT_PREFIX,
  isCluster,
  isQueueName,
  loadBullMQ,
  queueKeys,
  type InboxClient,
  type InboxConnection,
  type QueueKeys,
} from "../inbox/connection";
import { printable } from "../read/printable";
import { MAX_SHARDS, shardQueueNames } from "../inbox/shards";
import { readQueueStats, sumStats, type InboxQueueStats } from "../inbox/stats";
import { attemptsBefore, isStoredCallback, type StoredCallback } from "../inbox/stored-callback";
import { systemReason } from "../read/input";
import { parseClusterNodes } from "./cluster-nodes";
import { CliError, ExitCode, help, noMoreArguments, parseCommand, usageError, wholeNumber, type Command } from "./common";
import { redactUrl } from "./redact";

/** How long Redis may take to answer before the command gives up (exit 3). */
const REDIS_TIMEOUT_MS = 5000;

const DEFAULT_LIMIT = 100;

const actions = ["status", "failed", "retry"] as const;

/** Where the command looks. */
interface Target {
  client: InboxClient;
  connection: InboxConnection;
  /** The Redis URL or the cluster's nodes, without a password. */
  where: string;
  queueName: string;
  prefix: string;
  /** The inbox's BullMQ queues: one, or one per shard. */
  queues: { name: string; keys: QueueKeys }[];
}

/** `ci-callback inbox`. */
export const inboxCommand: Command = {
  name: "inbox",
  synopsis: "status|failed|retry --queue NAME [--redis URL | --cluster HOST:PORT,...] [--shards N] [--limit N] [--json]",
  summary: "a durable inbox's counts, bytes and oldest wait, its failed jobs, or re-queue them",
  usage: `usage: ci-callback inbox status|failed|retry --queue NAME [--redis URL | --cluster HOST:PORT,...] [--prefix P]
                          [--shards N] [--limit N] [--json]
Looks into the BullMQ queue of createCallbackInbox (it never prints a callback's body).
  status         callbacks waiting, active, delayed, failed, and handled (dedup marks kept); the oldest
                 wait; the bytes held; the inbox's bounds
  failed         the failed jobs (attempts exhausted), oldest first: id, event (EventName, Tag, JobId, RunId
                 or trace_id), attempts, when, last error; every field escaped
  retry          re-queues the failed jobs, oldest first, each with its attempts counted from 0 again
  --queue NAME   the inbox's queueName (required)
  --redis URL    default redis://127.0.0.1:6379
  --cluster HOST:PORT,...
                 a Redis Cluster instead: some of its nodes (host:port, or redis:// URLs whose user and
                 password apply to every node)
  --prefix P     the inbox's prefix, default ${DEFAULT_PREFIX}
  --shards N     the inbox's shards, default 1: every command covers them all
  --limit N      at most N jobs for failed and retry, default ${DEFAULT_LIMIT}
  --json         status as JSON: { total, queues: [{ queueName, waiting, … }, …] } (a queue per shard)
Exit 1 when the queue was never used (a mistyped --queue or --prefix), 3 when Redis cannot be reached
within ${REDIS_TIMEOUT_MS / 1000} s.`,
  run(args) {
    const parsed = parseCommand(args, {
      redis: { type: "string" },
      cluster: { type: "string" },
      shards: { type: "string" },
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
    if (values.redis !== undefined && values.cluster !== undefined) throw usageError("--redis and --cluster exclude each other");
    const url = values.redis ?? "redis://127.0.0.1:6379";
    if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) throw usageError(`--redis must be a redis:// or rediss:// URL, not "${redactUrl(url)}"`);
    const cluster = values.cluster === undefined ? undefined : parseClusterNodes(values.cluster);
    if (values.cluster !== undefined && cluster === undefined) throw usageError(`--cluster must list host:port or redis:// URLs, comma-separated`);
    const shards = wholeNumber("--shards", values.shards, 1, 1, MAX_SHARDS);
    const limit = wholeNumber("--limit", values.limit, DEFAULT_LIMIT, 1, 1_000_000);
    const json = values.json === true;
    if (json && action !== "status") throw usageError("--json is for status");
    const prefix = values.prefix ?? DEFAULT_PREFIX;
    const connection = cluster?.connection ?? url;
    const where = cluster === undefined ? redactUrl(url) : `the cluster of ${cluster.shown}`;
    let names: string[];
    try {
      names = shardQueueNames(queueName, shards, { clustered: cluster !== undefined, prefix: values.prefix });
    } catch (error) {
      // A brace where the names need hash tags; anything else (bullmq not installed) is not a usage error.
      if (!(error instanceof TypeError)) throw error;
      throw usageError(error.message.replace(/^queueName/, "--queue").replace(/^prefix/, "--prefix"));
    }
    const queues = names.map((name) => ({ name, keys: queueKeys(prefix, name) }));
    return withRedis(connection, where, async (client) => {
      const target: Target = { client, connection, where, queueName, prefix, queues };
      if (action === "status") return status(target, json);
      if (action === "failed") return failed(target, limit);
      return retry(target, limit);
    });
  },
};

/** Runs `body` with a connection to Redis, within {@link REDIS_TIMEOUT_MS}; a Redis that does not answer is exit 3. */
async function withRedis(connection: InboxConnection, where: string, body: (client: InboxClient) => Promise<number>): Promise<number> {
  // No reconnecting and no queued commands: a Redis that is not there is an answer, not something to wait for.
  const client = createRedisClient(connection, NO_WAITING);
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
      throw new CliError(ExitCode.io, `cannot reach Redis at ${where}: ${systemReason(lastError ?? error)}`);
    }
    return await Promise.race([body(client), deadline]);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(ExitCode.io, `Redis at ${where} failed: ${systemReason(lastError ?? error)}`);
  } finally {
    clearTimeout(timeout);
    client.disconnect();
  }
}

/** The connection options of `withRedis`: a Redis that is not there is an answer, not something to wait for. */
const NO_WAITING: RedisOptions = { enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: REDIS_TIMEOUT_MS, lazyConnect: true };

/** The stats of every queue (shard), or exit 1 when none was ever used. */
async function usedQueues(target: Target): Promise<InboxQueueStats[]> {
  const stats = await Promise.all(target.queues.map((queue) => readQueueStats(target.client, queue.keys, queue.name)));
  if (!stats.some((queue) => queue.used)) {
    const shards = target.queues.length === 1 ? "" : ` (${target.queues.length} shards)`;
    throw new CliError(
      ExitCode.invalid,
      `queue "${printable(target.queueName)}"${shards} (prefix "${printable(target.prefix)}") at ${target.where} has never been used: ` +
        `no inbox or job on it; check --queue, --prefix, ${isCluster(target.client) ? "--cluster" : "--redis"} and --shards`,
    );
  }
  return stats;
}

async function status(target: Target, json: boolean): Promise<number> {
  const queues = await usedQueues(target);
  const total = sumStats(queues);
  if (json) {
    process.stdout.write(`${JSON.stringify({ total, queues }, null, 2)}\n`);
    return ExitCode.ok;
  }
  const ms = (value: number | null) => (value === null ? "-" : `${value} ms`);
  const rows: [string, ...string[]][] = [
    ["waiting", String(total.waiting), ...queues.map((queue) => String(queue.waiting))],
    ["active", String(total.active), ...queues.map((queue) => String(queue.active))],
    ["delayed", String(total.delayed), ...queues.map((queue) => String(queue.delayed))],
    ["failed", String(total.failed), ...queues.map((queue) => String(queue.failed))],
    ["handled", String(total.handled), ...queues.map((queue) => String(queue.handled))],
    ["oldest waiting", ms(total.oldestWaitingMs), ...queues.map((queue) => ms(queue.oldestWaitingMs))],
    ["waiting bytes", String(total.waitingBytes), ...queues.map((queue) => String(queue.waitingBytes))],
    ["failed bytes", String(total.failedBytes), ...queues.map((queue) => String(queue.failedBytes))],
    // Bounds are each queue's own (a shard's share of the inbox's caps): no total.
    ...[...new Set(queues.flatMap((queue) => Object.keys(queue.bounds)))].map((name): [string, ...string[]] => [
      printable(name),
      "",
      ...queues.map((queue) => (queue.bounds[name] === undefined ? "-" : String(queue.bounds[name]))),
    ]),
  ];
  // One queue: a name and a value per line, as always; shards: a column for the total and one per shard.
  const table: string[][] = queues.length === 1 ? rows.map(([name, , value = ""]) => [name, value]) : [["", "total", ...queues.map((_, i) => `shard ${i}`)], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  for (const row of table) {
    const cells = row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)));
    process.stdout.write(`${cells.join("  ").trimEnd()}\n`);
  }
  return ExitCode.ok;
}

/** A failed job as read from its hash, without trusting its data. */
interface FailedRow {
  /** The shard it is in (its index in the target's queues). */
  shard: number;
  id: string;
  name: string | null;
  data: StoredCallback | undefined;
  attempts: string | null;
  finishedOn: string | null;
  reason: string | null;
}

/** The oldest `limit` failed jobs over every shard (BullMQ scores them by when they failed). */
async function oldestFailed(target: Target, limit: number): Promise<FailedRow[]> {
  const rows: FailedRow[] = [];
  for (const [shard, { keys }] of target.queues.entries()) {
    const entries = await target.client.zrange(keys.failed, "0", String(limit - 1), "WITHSCORES");
    const ids = entries.filter((_, i) => i % 2 === 0);
    // A shard's keys share a slot: one pipeline per shard, on a cluster too.
    const pipeline = target.client.pipeline();
    for (const id of ids) pipeline.hmget(keys.base + id, "name", "data", "atm", "finishedOn", "failedReason");
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, id] of ids.entries()) {
      const [name = null, data = null, attempts = null, finishedOn = null, reason = null] = (replies[i]?.[1] as (string | null)[] | undefined) ?? [];
      rows.push({ shard, id, name, data: readData(data), attempts, finishedOn: finishedOn ?? entries[2 * i + 1] ?? null, reason });
    }
  }
  return rows.sort((a, b) => Number(a.finishedOn ?? 0) - Number(b.finishedOn ?? 0)).slice(0, limit);
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
  const { failed: total } = sumStats(await usedQueues(target));
  const rows = await oldestFailed(target, limit);
  process.stdout.write(`${total} failed${rows.length < total ? `, the oldest ${rows.length} shown` : ""}\n`);
  for (const row of rows) {
    const when = row.finishedOn === null || !Number.isFinite(Number(row.finishedOn)) ? "-" : new Date(Number(row.finishedOn)).toISOString();
    const fields = [printable(row.id), describeEvent(row), `attempts ${attemptsOf(row)}`, when, printable(row.reason ?? "")];
    if (target.queues.length > 1) fields.unshift(`shard ${row.shard}`);
    // failedReason is the handler's error message: the user's words, never the body.
    process.stdout.write(`${fields.join("  ")}\n`);
  }
  return ExitCode.ok;
}

/** Attempts made at a failed job's callback, those before it became a job included (src/inbox/mover.ts). */
function attemptsOf(row: FailedRow): string {
  const made = Number(row.attempts ?? "0") + attemptsBefore(row.data);
  return Number.isFinite(made) ? String(made) : printable(row.attempts ?? "");
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
  await usedQueues(target);
  const rows = await oldestFailed(target, limit);
  const { Queue, Job } = loadBullMQ();
  const connection = bullmqConnection(target.connection, target.client, { enableOfflineQueue: false, retryStrategy: () => null });
  const queues = target.queues.map(({ name }) => {
    const queue = new Queue(name, { connection, prefix: target.prefix });
    queue.on("error", () => undefined);
    return queue;
  });
  let requeued = 0;
  try {
    for (const row of rows) {
      if (row.data === undefined) {
        process.stdout.write(`${printable(row.id)}: data unreadable, left as failed\n`);
        continue;
      }
      const job = await Job.fromId(queues[row.shard]!, row.id);
      if (job === undefined) continue;
      // Its attempts count from 0 again, those made before it was a job too.
      if (attemptsBefore(row.data) > 0) await job.updateData({ ...row.data, attemptsBefore: 0 });
      await job.retry("failed", { resetAttemptsMade: true });
      // Waiting again: its body counts against maxWaitingBytes until a worker has handled it.
      if (typeof row.data.bytes === "number") await target.client.hincrby(target.queues[row.shard]!.keys.inbox, "bytes", String(row.data.bytes));
      requeued++;
    }
  } finally {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
  }
  process.stdout.write(`re-queued ${requeued} failed job${requeued === 1 ? "" : "s"}\n`);
  return ExitCode.ok;
}
