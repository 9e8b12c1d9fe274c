import { expect } from "chai";
import { Redis } from "ioredis";
import { createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker, InboxFullError } from "../../src/inbox";
import { eventBody, freshQueueName, inspect, postOf, queueStats, recordHandled, waitFor } from "../support/inbox";
import { startRedisServer, type RedisServer } from "../support/redis-server";

/** A valid callback padded to about `bytes` with a node the schema does not know (kept, as for any unknown node). */
function paddedBody(jobId: string, bytes: number): string {
  const body = eventBody(jobId);
  return body.replace("{", `{"Padding":"${"x".repeat(bytes - body.length - 20)}",`);
}

describe("inbox: the fill attack on a 64 MB Redis with noeviction (real redis-server)", function () {
  this.timeout(120_000);
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer({ args: ["--maxmemory", "64mb", "--maxmemory-policy", "noeviction"] });
  });
  after(async () => {
    await redis?.remove();
  });

  it("refuses padded 1 MiB callbacks at the cap, answers normal ones 200 or 503 (never a 200 that is lost), and serves again once drained", async () => {
    const queueName = freshQueueName();
    const inbox = createCallbackInbox({ connection: redis.url, queueName, maxWaitingBytes: 32 * 1024 * 1024, onError: () => undefined });
    let full = false;
    const listener = createCallbackListener({ inbox, secret: false, onError: (error) => void (full ||= error instanceof InboxFullError) });
    const acked: string[] = [];
    const post = async (jobId: string, body: string) => {
      const reply = await listener.handle(postOf(Buffer.from(body)));
      expect([200, 503]).to.include(reply.status);
      if (reply.status === 200) acked.push(jobId);
      return reply.status;
    };
    try {
      // The attacker: padded bodies just under the listener's 1 MiB limit, until the inbox says it is full (a
      // 503 for a slow add on a loaded machine is not that: the attacker goes on).
      let padded = 0;
      for (let i = 0; !full && i < 100; i++) if ((await post(`j-pad-${i}`, paddedBody(`j-pad-${i}`, 1024 * 1024 - 64))) === 200) padded++;
      expect(full).to.equal(true);
      // Each padded callback counts twice its body (its canonical object keeps the padding too): 16 fit in 32 MiB.
      expect(padded).to.be.within(1, 16);
      // Normal callbacks meanwhile: each stored and acknowledged, or refused; never stored past the cap.
      const during = await Promise.all(Array.from({ length: 300 }, (_, i) => post(`j-during-${i}`, eventBody(`j-during-${i}`))));
      expect(during.every((status) => status === 503 || status === 200)).to.equal(true);
      const probe = new Redis(redis.url);
      try {
        const info = await probe.info();
        expect(Number(/^evicted_keys:(\d+)/m.exec(info)?.[1])).to.equal(0);
        expect(Number(/^used_memory:(\d+)/m.exec(info)?.[1])).to.be.below(64 * 1024 * 1024);
      } finally {
        probe.disconnect();
      }

      // Workers drain the queue: nothing stored is lost, and normal service resumes.
      const worker = createCallbackWorker({ connection: redis.url, queueName, concurrency: 8 });
      const handled = recordHandled(worker);
      const inspected = inspect(redis.url, queueName);
      try {
        await waitFor("the queue to drain", async () => {
          const stats = await queueStats(inspected);
          return stats.waiting + stats.active + stats.delayed === 0 && stats.waitingBytes === 0;
        }, 60_000);
        const after = await Promise.all(Array.from({ length: 50 }, (_, i) => post(`j-after-${i}`, eventBody(`j-after-${i}`))));
        expect(after.every((status) => status === 200)).to.equal(true);
        await waitFor("every acknowledged callback to be handled", () => acked.every((id) => handled.includes(id)), 30_000);
        expect(new Set(handled).size).to.equal(handled.length);
        expect((await queueStats(inspected)).failed).to.equal(0);
      } finally {
        await worker.close();
        await inspected.close();
      }
    } finally {
      await inbox.close();
    }
  });
});
