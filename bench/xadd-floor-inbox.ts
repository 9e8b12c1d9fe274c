/**
 * The floor of the inbox section of `npm run bench:http` (decision 0018), not an inbox: the least a durable
 * inbox on Redis can do per callback, appending the body's bytes and its dedup key to a stream with one XADD,
 * the adds of concurrent requests batched as the inbox batches them (at most 1 ms or 64), each resolved once
 * Redis has stored it. No dedup, no caps, no timeout, no worker: what a stream in front of BullMQ (0018's
 * option 3) or another engine could at best reach on the listener's side. Not part of the package.
 */
import { Redis } from "ioredis";
import type { CallbackInbox, InboxEntry } from "../src/receiver/callback-inbox";

/** The floor: a `CallbackInbox` that can be closed. */
export interface XaddFloorInbox extends CallbackInbox {
  close(): Promise<void>;
}

interface Pending {
  entry: InboxEntry;
  resolve(): void;
  reject(error: unknown): void;
}

const BATCH_MAX_SIZE = 64;
const BATCH_MAX_WAIT_MS = 1;

/** Appends to `stream` on `url`; `stored` is told each stored callback's JobId (the bench's delivery check). */
export function createXaddFloorInbox(url: string, stream: string, stored: (jobId: string) => void): XaddFloorInbox {
  const client = new Redis(url);
  let batch: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    const adds = batch;
    batch = [];
    const pipeline = client.pipeline();
    for (const { entry } of adds) {
      const { rawBody } = entry;
      const body = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
      pipeline.xadd(stream, "*", "body", body, "key", entry.key ?? "");
    }
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([error]) => error !== null)?.[0];
        if (failed !== undefined && failed !== null) return adds.forEach(({ reject }) => reject(failed));
        for (const { entry, resolve } of adds) {
          const callback = entry.callback;
          const job = callback?.EventName === "TaskFinish" ? callback.JobsDetail?.[0] : undefined;
          if (job !== undefined) stored(job.JobId);
          resolve();
        }
      },
      (error: unknown) => adds.forEach(({ reject }) => reject(error)),
    );
  }

  return {
    add: (entry) =>
      new Promise<void>((resolve, reject) => {
        batch.push({ entry, resolve, reject });
        if (batch.length >= BATCH_MAX_SIZE) flush();
        else timer ??= setTimeout(flush, BATCH_MAX_WAIT_MS);
      }),
    close: async () => {
      if (batch.length > 0) flush();
      await client.quit();
    },
  };
}
