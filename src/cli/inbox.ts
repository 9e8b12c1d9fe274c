/**
 * `ci-callback inbox status|failed|retry`: looks into a durable inbox's queue (src/inbox/) on Redis. It shows
 * counts and failed jobs' ids, events, attempts and last errors, never a body, and re-queues failed jobs.
 */
import type { Job, Queue } from "bullmq";
import { systemReason } from "../read/input";
import { CliError, ExitCode, help, noMoreArguments, parseCommand, usageError, wholeNumber, type Command } from "./common";
import { redactUrl } from "./redact";
import { isQueueName, loadBullMQ, redisOptions } from "../inbox/connection";
import type { StoredCallback } from "../inbox/stored-callback";

/** How long Redis may take to answer before the command gives up (exit 3). */
const REDIS_TIMEOUT_MS = 5000;

const DEFAULT_LIMIT = 100;

/** The states `status` counts, in the order a job goes through them. */
const STATES = ["waiting", "delayed", "active", "completed", "failed"] as const;

const actions = ["status", "failed", "retry"] as const;

/** `ci-callback inbox`. */
export const inboxCommand: Command = {
  name: "inbox",
  synopsis: "status|failed|retry --queue NAME [--redis URL] [--limit N]",
  summary: "a durable inbox's job counts, its failed jobs, or re-queue them",
  usage: `usage: ci-callback inbox status|failed|retry --queue NAME [--redis URL] [--prefix P] [--limit N]
Looks into the BullMQ queue of createCallbackInbox (it never prints a callback's body).
  status         jobs per state: waiting, delayed, active, completed, failed
  failed         the failed jobs (attempts exhausted), oldest first: id, event, attempts, when, last error
  retry          re-queues the failed jobs, oldest first, each with its attempts counted from 0 again
  --queue NAME   the inbox's queueName (required)
  --redis URL    default redis://127.0.0.1:6379
  --prefix P     the inbox's prefix, default bull
  --limit N      at most N jobs for failed and retry, default ${DEFAULT_LIMIT}
Exit 3 when Redis cannot be reached within ${REDIS_TIMEOUT_MS / 1000} s.`,
  run(args) {
    const parsed = parseCommand(args, {
      redis: { type: "string" },
      queue: { type: "string" },
      prefix: { type: "string" },
      limit: { type: "string" },
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
    return withQueue(url, queueName, values.prefix, (queue) => {
      if (action === "status") return status(queue);
      if (action === "failed") return failed(queue, limit);
      return retry(queue, limit);
    });
  },
};

/** Runs `body` on the queue, within {@link REDIS_TIMEOUT_MS}; a Redis that does not answer is exit 3. */
async function withQueue(url: string, queueName: string, prefix: string | undefined, body: (queue: Queue<StoredCallback>) => Promise<void>): Promise<number> {
  const { Queue } = loadBullMQ();
  // No reconnecting and no queued commands: a Redis that is not there is an answer, not something to wait for.
  const connection = redisOptions(url, { enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: REDIS_TIMEOUT_MS });
  const queue: Queue<StoredCallback> = new Queue(queueName, { connection, prefix });
  let lastError: Error | undefined;
  queue.on("error", (error) => {
    lastError = error;
  });
  let timeout: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timeout = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  try {
    await Promise.race([body(queue), deadline]);
    return ExitCode.ok;
  } catch (error) {
    throw new CliError(ExitCode.io, `cannot reach Redis at ${redactUrl(url)}: ${systemReason(lastError ?? error)}`);
  } finally {
    clearTimeout(timeout);
    await queue.close().catch(() => undefined);
  }
}

async function status(queue: Queue<StoredCallback>): Promise<void> {
  const counts = await queue.getJobCounts(...STATES);
  const width = Math.max(...STATES.map((state) => state.length));
  for (const state of STATES) process.stdout.write(`${state.padEnd(width)}  ${counts[state] ?? 0}\n`);
}

/** The oldest failed jobs first (BullMQ lists the newest first). */
async function oldestFailed(queue: Queue<StoredCallback>, limit: number): Promise<Job<StoredCallback>[]> {
  const total = await queue.getFailedCount();
  const jobs = await queue.getFailed(Math.max(0, total - limit), total - 1);
  return jobs.sort((a, b) => (a.finishedOn ?? 0) - (b.finishedOn ?? 0));
}

async function failed(queue: Queue<StoredCallback>, limit: number): Promise<void> {
  const total = await queue.getFailedCount();
  const jobs = await oldestFailed(queue, limit);
  process.stdout.write(`${total} failed${jobs.length < total ? `, the oldest ${jobs.length} shown` : ""}\n`);
  for (const job of jobs) {
    const when = job.finishedOn === undefined ? "-" : new Date(job.finishedOn).toISOString();
    // failedReason is the handler's error message: the user's words, never the body.
    process.stdout.write(`${job.id}  ${job.name}  attempts ${job.attemptsMade}  ${when}  ${job.failedReason}\n`);
  }
}

async function retry(queue: Queue<StoredCallback>, limit: number): Promise<void> {
  const jobs = await oldestFailed(queue, limit);
  for (const job of jobs) await job.retry("failed", { resetAttemptsMade: true });
  process.stdout.write(`re-queued ${jobs.length} failed job${jobs.length === 1 ? "" : "s"}\n`);
}
