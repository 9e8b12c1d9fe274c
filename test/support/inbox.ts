/** What the inbox tests share: distinct events, a bounded wait, the queue to look into, and the built CLI. */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { exampleBody, identifyEvent, parseCallback, type CallbackRequest } from "../../src";
import type { CallbackWorker } from "../../src/inbox";
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

/** A BullMQ queue to look into the inbox's jobs (not to add to). */
export function inspect(url: string, queueName: string): Queue {
  const queue = new Queue(queueName, { connection: { url } });
  queue.on("error", () => undefined);
  return queue;
}

/** Counts of the states a test checks. */
export async function counts(queue: Queue): Promise<Record<string, number>> {
  return queue.getJobCounts("waiting", "delayed", "active", "completed", "failed");
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
}

/** Registers the hooks of a describe block whose tests share a redis-server and close what they opened. */
export function useInboxSuite(): InboxSuite {
  const closers: (() => Promise<unknown>)[] = [];
  const suite = { queueName: "", closeAfter: (close: () => Promise<unknown>) => void closers.push(close) } as InboxSuite;
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
