/**
 * The inbox as shipped before issue 17 (main at 23d1e44), kept for `npm run bench:http` only, as the baseline
 * the new one is measured against side by side: one BullMQ `add` per callback, the body base64 in the job's
 * JSON data, handled jobs kept whole for `keepHandledMs`. Its jobs are read by the new worker (base64 bodies
 * are still read), which the bench runs only after the load. Not part of the package.
 */
import { join } from "node:path";
import type { Queue } from "bullmq";
import type { CallbackInbox, InboxEntry } from "../src/receiver/callback-inbox";
import type * as StoredModule from "../src/inbox/stored-callback";

const built = join(__dirname, "..", "dist", "src", "inbox");
const { jobIdOfKey } = require(join(built, "stored-callback")) as typeof StoredModule;

/** The shipped inbox: a `CallbackInbox` that can be closed. */
export interface ShippedInbox extends CallbackInbox {
  close(): Promise<void>;
}

/** The shipped inbox on `url`/`queueName`: 5 s timeout, handled jobs kept 24 h, failed kept for ever. */
export function createShippedInbox(url: string, queueName: string): ShippedInbox {
  const { Queue: QueueClass } = require("bullmq") as typeof import("bullmq");
  const queue: Queue = new QueueClass(queueName, {
    connection: { url, enableOfflineQueue: false, retryStrategy: (times: number) => Math.min(times * 100, 2000), connectTimeout: 5000 },
    defaultJobOptions: { attempts: 1_000_000, backoff: { type: "ci-callback" }, removeOnComplete: { age: 24 * 60 * 60 }, removeOnFail: false },
  });
  queue.on("error", () => undefined);
  return {
    async add(entry: InboxEntry): Promise<void> {
      const { rawBody } = entry;
      const text = typeof rawBody === "string";
      const data = {
        body: text ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString("base64"),
        bodyEncoding: text ? "utf8" : "base64",
        contentType: entry.contentType,
        contentVersion: entry.contentVersion,
        names: [...entry.names],
        key: entry.key,
        receivedAt: Date.now(),
      };
      const added = queue.add(entry.names.at(-1) ?? "callback", data, entry.key === undefined ? {} : { jobId: jobIdOfKey(entry.key) });
      let timeout: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error("the inbox did not confirm the callback within 5000 ms")), 5000);
      });
      added.catch(() => undefined);
      try {
        await Promise.race([added, deadline]);
      } finally {
        clearTimeout(timeout);
      }
    },
    close: () => queue.close(),
  };
}
