/** What the inbox tests share: distinct events, a bounded wait, the queue to look into, and the built CLI. */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { exampleBody, identifyEvent, parseCallback, type CallbackRequest } from "../../src";
import { createCallbackInbox, type BullMQCallbackInbox, type CallbackInboxOptions, type CallbackWorker } from "../../src/inbox";
import { DEFAULT_PREFIX, queueKeys } from "../../src/inbox/connection";
import { readQueueStats, type InboxQueueStats } from "../../src/inbox/stats";
import { cliPath } from "./built";
import { startRedisServer, type RedisServer } from "./redis-server";

/** A Transcode callback of its own JobId, as JSON. */
export function eventBody(jobId: string): string {
  return exampleBody("Transcode", "json", { set: { JobId: jobId } });
}

/** The dedup key of a body. */
export function keyOf(body: string): string | undefined {
  return identifyEvent(parseCallback(body)).key;
}

/** A POST of `body` as the listener's `handle` takes it. */
export function postOf(body: string | Uint8Array, headers: { contentType?: string; contentVersion?: string } = {}): CallbackRequest {
  return { method: "POST", url: "/", ...headers, body: async () => body };
}

/** A queue name of its own (BullMQ refuses ":"). */
export function freshQueueName(): string {
  return `test-${randomUUID()}`;
}

/**
 * Polls `check` every 25 ms until it holds; fails after `timeoutMs`, naming what was awaited. The default is
 * generous (what is awaited takes well under a second quiet): the bound catches a hang, not a slow machine.
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A look into an inbox's queue (its stats), on a connection of the test's own. */
export interface Inspected {
  client: Redis;
  queueName: string;
  close(): Promise<unknown>;
}

/** Looks into the inbox's queue `queueName` (never adds to it). */
export function inspect(url: string, queueName: string): Inspected {
  const client = new Redis(url);
  client.on("error", () => undefined);
  return { client, queueName, close: () => client.quit() };
}

/** The queue's stats, as `inbox.stats()` gives them for one queue. */
export function queueStats(inspected: Inspected): Promise<InboxQueueStats> {
  return readQueueStats(inspected.client, queueKeys(DEFAULT_PREFIX, inspected.queueName), inspected.queueName);
}

/** Counts of the states a test checks: waiting, delayed, active, failed, and handled (the marks kept). */
export async function counts(inspected: Inspected): Promise<Record<"waiting" | "delayed" | "active" | "failed" | "handled", number>> {
  const { waiting, delayed, active, failed, handled } = await queueStats(inspected);
  return { waiting, delayed, active, failed, handled };
}

/** Runs the built CLI (dist/src/cli/main.js) in a child process, without blocking this one's event loop. */
export function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** What {@link useInboxSuite} gives the tests of a describe block. */
export interface InboxSuite {
  /** The block's redis-server. */
  redis: RedisServer;
  /** A queue name of the test's own. */
  queueName: string;
  /** Closed after the test, last first: workers, inboxes, clients, child processes. */
  closeAfter(close: () => Promise<unknown>): void;
  /** An inbox on the test's queue, closed after the test. */
  inbox(options?: Partial<CallbackInboxOptions>): BullMQCallbackInbox;
  /** A look into the test's queue, closed after the test. */
  look(): Inspected;
}

/** Registers the hooks of a describe block whose tests share a redis-server and close what they opened. */
export function useInboxSuite(): InboxSuite {
  const closers: (() => Promise<unknown>)[] = [];
  const suite = {
    queueName: "",
    closeAfter: (close: () => Promise<unknown>) => void closers.push(close),
    inbox(options: Partial<CallbackInboxOptions> = {}): BullMQCallbackInbox {
      const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, ...options });
      suite.closeAfter(() => inbox.close());
      return inbox;
    },
    look(): Inspected {
      const inspected = inspect(suite.redis.url, suite.queueName);
      suite.closeAfter(() => inspected.close());
      return inspected;
    },
  } as InboxSuite;
  before(async () => {
    suite.redis = await startRedisServer();
  });
  after(async () => {
    await suite.redis?.remove();
  });
  beforeEach(() => {
    suite.queueName = freshQueueName();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return suite;
}

/** The JobIds of the TaskFinish callbacks `worker` handles, in order (registered on it). */
export function recordHandled(worker: CallbackWorker): string[] {
  const handled: string[] = [];
  worker.on("TaskFinish", (callback) => {
    if (callback.EventName === "TaskFinish") handled.push(callback.JobsDetail[0].JobId);
  });
  return handled;
}
