import { expect } from "chai";
import { Redis } from "ioredis";
import { createCallbackListener, type ListenerErrorContext } from "../../src";
import { createCallbackWorker, InboxFullError } from "../../src/inbox";
import { DEFAULT_PREFIX, queueKeys } from "../../src/inbox/connection";
import { jobIdOfKey } from "../../src/inbox/stored-callback";
import { counts, eventBody, keyOf, postOf, queueStats, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

/** Every value held under the queue's keys, as text (strings, hashes, lists, sets, streams). */
async function everythingStored(client: Redis, queueName: string): Promise<string> {
  const keys = await client.keys(`${DEFAULT_PREFIX}:${queueName}:*`);
  const values: string[] = [];
  for (const key of keys) {
    const type = await client.type(key);
    if (type === "string") values.push((await client.get(key)) ?? "");
    if (type === "hash") values.push(JSON.stringify(await client.hgetall(key)));
    if (type === "list") values.push(...(await client.lrange(key, 0, -1)));
    if (type === "zset") values.push(...(await client.zrange(key, "0", "-1")));
    if (type === "set") values.push(...(await client.smembers(key)));
    if (type === "stream") values.push(JSON.stringify(await client.xrange(key, "-", "+")));
  }
  return values.join("\n");
}

describe("inbox: bounded storage (real redis-server)", function () {
  this.timeout(60_000);
  const suite = useInboxSuite();

  it("keeps only a dedup mark once a callback is handled: a redelivery 1 s later is a duplicate, and the body is gone", async () => {
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const body = eventBody("j-handled-once");
    expect((await listener.handle(postOf(Buffer.from(body)))).status).to.equal(200);
    const inspected = suite.look();
    // While it waits (in the ingest stream, no worker yet), the body is stored once, as its text (no base64).
    const jobId = jobIdOfKey(keyOf(body) ?? "");
    const keys = queueKeys(DEFAULT_PREFIX, suite.queueName);
    const entries = await inspected.client.xrange(keys.ingest, "-", "+");
    expect(entries).to.have.length(1);
    const fields = entries[0]?.[1] ?? [];
    expect(fields[fields.indexOf("j") + 1]).to.equal(jobId);
    expect(fields[fields.indexOf("b") + 1]).to.equal(body);
    // The rest of the job's data (the canonical object among it) does not hold the body again.
    expect(fields[fields.indexOf("r") + 1]).not.to.include(JSON.stringify(body).slice(1, -1));

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("the callback to be handled", async () => (await counts(inspected)).handled === 1);
    expect(await everythingStored(inspected.client, suite.queueName)).not.to.include("j-handled-once");
    const mark = keys.mark(jobId);
    expect(await inspected.client.exists(mark)).to.equal(1);
    expect(await inspected.client.call("MEMORY", "USAGE", mark)).to.be.at.most(512);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const again = await listener.handle(postOf(body));
    expect(again.status).to.equal(200);
    expect(await counts(inspected)).to.deep.equal({ waiting: 0, active: 0, delayed: 0, failed: 0, handled: 1 });
    await worker.close();
    expect(handled).to.deep.equal(["j-handled-once"]);
  });

  it("holds a waiting callback in a few times its body's bytes and a handled one in at most 512 bytes (Redis's INFO)", async () => {
    const inbox = suite.inbox();
    const listener = createCallbackListener({ inbox, secret: false });
    const inspected = suite.look();
    const used = async () => Number(/^used_memory:(\d+)/m.exec(await inspected.client.info("memory"))?.[1]);
    const post = async (prefix: string, count: number) => {
      for (let from = 0; from < count; from += 50) {
        const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => listener.handle(postOf(Buffer.from(eventBody(`${prefix}-${from + i}`))))));
        expect(replies.map((reply) => reply.status)).to.deep.equal(replies.map(() => 200));
      }
    };
    const drain = async (total: number) => {
      const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 50 });
      await waitFor("the queue to drain", async () => (await counts(inspected)).handled >= total, 30_000);
      await worker.close();
    };
    // A first thousand fills BullMQ's capped events stream, so that what follows measures callbacks only.
    await post("j-warm", 1000);
    await drain(1000);
    const before = await used();
    const count = 1000;
    await post("j-measured", count);
    const waitingBytes = ((await used()) - before) / count;
    await drain(2000);
    const handledBytes = ((await used()) - before) / count;
    const bodyBytes = Buffer.byteLength(eventBody("j-measured-0"));
    // The body once as text, and the canonical object the worker trusts (no base64 of either).
    expect(waitingBytes).to.be.below(bodyBytes * 3);
    expect(handledBytes).to.be.at.most(512);
    expect((await inbox.stats()).total).to.include({ waiting: 0, handled: 2000, waitingBytes: 0 });
  });

  it("answers 503 with Retry-After past maxWaiting or maxWaitingBytes, still acknowledges duplicates, and resumes once handled", async () => {
    const bodyBytes = Buffer.byteLength(eventBody("j-cap-0"));
    const reported: ListenerErrorContext[] = [];
    const errors: unknown[] = [];
    const byCount = createCallbackListener({
      inbox: suite.inbox({ maxWaiting: 3 }),
      secret: false,
      onError: (error, context) => {
        errors.push(error);
        reported.push(context);
      },
    });
    const statuses = async (listener: typeof byCount, ids: string[]) => Promise.all(ids.map(async (id) => (await listener.handle(postOf(eventBody(id)))).status));
    expect(await statuses(byCount, ["j-cap-0", "j-cap-1", "j-cap-2"])).to.deep.equal([200, 200, 200]);
    const refused = await byCount.handle(postOf(eventBody("j-cap-3")));
    expect(refused.status).to.equal(503);
    expect(refused.headers["retry-after"]).to.equal("5");
    expect(errors[0]).to.be.instanceOf(InboxFullError);
    expect(reported[0]).to.deep.include({ stage: "inbox" });
    // A redelivery of a stored callback is still acknowledged: nothing new is stored for it.
    expect(await statuses(byCount, ["j-cap-1"])).to.deep.equal([200]);

    // Bytes (each callback counted as twice its body): room for two more of this size and not three, over both
    // listeners' adds.
    const byBytes = createCallbackListener({ inbox: suite.inbox({ maxWaitingBytes: 2 * 5 * bodyBytes + bodyBytes }), secret: false, onError: () => undefined });
    expect(await statuses(byBytes, ["j-cap-4", "j-cap-5"])).to.deep.equal([200, 200]);
    expect(await statuses(byBytes, ["j-cap-6"])).to.deep.equal([503]);

    const inspected = suite.look();
    const stats = await queueStats(inspected);
    expect(stats).to.include({ waiting: 5, waitingBytes: 2 * 5 * bodyBytes });
    expect(stats.oldestWaitingMs).to.be.a("number").and.at.least(0);
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4 });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("the queue to drain", async () => (await queueStats(inspected)).handled === 5);
    await waitFor("the waiting bytes to be released", async () => (await queueStats(inspected)).waitingBytes === 0);
    expect(await statuses(byCount, ["j-cap-3"])).to.deep.equal([200]);
    expect(await statuses(byBytes, ["j-cap-6"])).to.deep.equal([200]);
    await waitFor("the last two to be handled", () => handled.length === 7);
    expect([...handled].sort()).to.deep.equal(["j-cap-0", "j-cap-1", "j-cap-2", "j-cap-3", "j-cap-4", "j-cap-5", "j-cap-6"]);
    expect((await queueStats(inspected)).oldestWaitingMs).to.equal(null);
  });

  it("keeps at most maxFailed failed jobs, the newest, and stats() shows the bound", async () => {
    const inbox = suite.inbox({ maxFailed: 2 });
    const listener = createCallbackListener({ inbox, secret: false });
    for (const id of ["j-fail-0", "j-fail-1", "j-fail-2"]) expect((await listener.handle(postOf(eventBody(id)))).status).to.equal(200);
    let failed = 0;
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, attempts: 1, onError: () => undefined, onFailed: () => void failed++ });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", () => {
      throw new Error("down");
    });
    await waitFor("three failures", () => failed === 3);
    // The worker counts finished jobs off the waiting bytes every 50 ms.
    await waitFor("the failed jobs' bytes no longer waiting", async () => (await inbox.stats()).total.waitingBytes === 0);
    const [stats] = (await inbox.stats()).queues;
    expect(stats).to.include({ failed: 2, waiting: 0, waitingBytes: 0 });
    expect(stats?.failedBytes).to.be.above(2 * Buffer.byteLength(eventBody("j-fail-0")));
    expect(stats?.bounds).to.include({ maxFailed: 2, maxWaiting: 100_000 });
  });
});
