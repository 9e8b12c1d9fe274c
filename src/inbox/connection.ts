/**
 * The Redis connection of the inbox and the worker, and BullMQ, loaded only when one is made: a package that
 * only parses callbacks never loads the queue.
 */
import type { RedisOptions as BullMQRedisOptions } from "bullmq";
import type { RedisOptions } from "ioredis";

/**
 * Where the BullMQ inbox's queue lives, for {@link createCallbackInbox}, {@link createCallbackWorker} and the
 * CLI: a Redis URL (`redis://host:6379/0`, `rediss://…`) or ioredis options.
 */
export type InboxConnection = string | RedisOptions;

type BullMQ = typeof import("bullmq");

let bullmq: BullMQ | undefined;

/** The command that installs the inbox's optional peer dependencies. */
export const INSTALL_INBOX_PEERS = "npm install bullmq ioredis";

/**
 * The bullmq module, required on first use.
 * @throws Error naming {@link INSTALL_INBOX_PEERS} when bullmq or ioredis (which bullmq requires) is not installed.
 */
export function loadBullMQ(): BullMQ {
  try {
    bullmq ??= require("bullmq") as BullMQ;
  } catch (error) {
    const missing = missingPeer(error);
    if (missing === undefined) throw error;
    throw new Error(`the inbox needs bullmq and ioredis, optional peer dependencies of ci-callback, and ${missing} is not installed: run \`${INSTALL_INBOX_PEERS}\``, { cause: error });
  }
  return bullmq;
}

/** Which peer a failed require could not find (bullmq, or ioredis required by bullmq), if that was why. */
function missingPeer(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") return undefined;
  return /Cannot find module '(bullmq|ioredis)'/.exec(error.message)?.[1];
}

/**
 * Reconnects within 2 s once Redis is back (ioredis's default as BullMQ sets it waits up to 20 s), so that a
 * receiver answers 200 again soon after an outage.
 */
function reconnectDelay(times: number): number {
  return Math.min(times * 100, 2000);
}

/**
 * ioredis options for BullMQ; `overrides` win over the user's options, which win over our defaults. BullMQ
 * passes them to ioredis's constructor as they are (its own type is a loose copy of ioredis's).
 */
export function redisOptions(connection: InboxConnection, overrides: RedisOptions = {}): BullMQRedisOptions {
  const base: RedisOptions = { retryStrategy: reconnectDelay, connectTimeout: 5000 };
  if (typeof connection === "string") return { ...base, ...overrides, url: connection } as BullMQRedisOptions;
  return { ...base, ...connection, ...overrides } as BullMQRedisOptions;
}

/** A queue name BullMQ accepts: it refuses `:` (its key separator). */
export function checkQueueName(queueName: unknown): string {
  if (typeof queueName !== "string" || !isQueueName(queueName)) {
    throw new TypeError(`queueName must be a non-empty string without ":", not ${JSON.stringify(queueName)}`);
  }
  return queueName;
}

/** Whether BullMQ takes `name` as a queue's name: not empty, no `:` (it separates the parts of its keys). */
export function isQueueName(name: string): boolean {
  return name !== "" && !name.includes(":");
}
