/** What the inbox tests share: distinct events, a bounded wait, the queue to look into, and the built CLI. */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { exampleBody, identifyEvent, parseCallback, type CallbackRequest } from "../../src";
import { cliPath } from "./built";

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

/** Polls `check` every 25 ms until it holds; fails after `timeoutMs`, naming what was awaited. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
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

/** Runs the built CLI (dist/src/cli.js) in a child process, without blocking this one's event loop. */
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
