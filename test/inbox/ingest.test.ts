import { expect } from "chai";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createCallbackListener, identifyEvent, parseCallback } from "../../src";
import { createCallbackWorker } from "../../src/inbox";
import { EVENTS_MAX_LEN, JOB_ATTEMPTS, WORKER_BACKOFF } from "../../src/inbox/bullmq-inbox";
import { DEFAULT_PREFIX, queueKeys } from "../../src/inbox/connection";
import { markTtlMs } from "../../src/inbox/marks";
import { movedEntry } from "../../src/inbox/mover";
import { MOVER_GROUP } from "../../src/inbox/scripts";
import { jobIdOfKey, storeCallback } from "../../src/inbox/stored-callback";
import type { InboxEntry } from "../../src/receiver/callback-inbox";
import { counts, eventBody, keyOf, postOf, queueStats, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

/** The inbox entry the listener makes of `body`, with its key (or none: a callback never deduplicated). */
function entryOf(body: string, keyed = true): InboxEntry {
  const callback = parseCallback(body);
  const { names, key } = identifyEvent(callback);
  return { key: keyed ? key : undefined, names, rawBody: body, contentType: "application/json", contentVersion: undefined, callback };
}

/** Each JobId handled, with how often. */
function tally(ids: string[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const id of ids) counted[id] = (counted[id] ?? 0) + 1;
  return counted;
}

describe("inbox: the ingest stream in front of BullMQ and its mover (real redis-server)", function () {
  this.timeout(120_000);
  const suite = useInboxSuite();

  it("counts callbacks in the ingest stream as waiting, and a redelivery to another receiver meanwhile is a duplicate", async () => {
    const first = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const second = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const bodies = ["j-in-0", "j-in-1", "j-in-2"].map(eventBody);
    for (const body of bodies) expect((await first.handle(postOf(body))).status).to.equal(200);
    // No worker yet: every callback is still in the ingest stream.
    const inspected = suite.look();
    const keys = queueKeys(DEFAULT_PREFIX, suite.queueName);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(3);
    const before = await queueStats(inspected);
    const size = Buffer.byteLength(bodies[0] ?? "");
    expect(before).to.include({ waiting: 3, active: 0, handled: 0, waitingBytes: 2 * 3 * size });
    expect(before.oldestWaitingMs).to.be.a("number").and.at.least(0);

    // Redeliveries, to this receiver and another one: acknowledged, not stored again.
    expect((await second.handle(postOf(bodies[1] ?? ""))).status).to.equal(200);
    expect((await first.handle(postOf(bodies[2] ?? ""))).status).to.equal(200);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(3);
    expect(await queueStats(inspected)).to.include({ waiting: 3, waitingBytes: 2 * 3 * size });

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4 });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("every callback to be handled", async () => (await counts(inspected)).handled === 3);
    expect(tally(handled)).to.deep.equal({ "j-in-0": 1, "j-in-1": 1, "j-in-2": 1 });
    // Moved: the stream and the ingest marks are gone; the dedup marks answer for the callbacks.
    expect(await inspected.client.xlen(keys.ingest)).to.equal(0);
    expect(await inspected.client.exists(...bodies.map((body) => keys.ingestMark(jobIdOfKey(keyOf(body) ?? ""))))).to.equal(0);
    expect((await second.handle(postOf(bodies[0] ?? ""))).status).to.equal(200);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(0);
    await waitFor("the waiting bytes to be released", async () => (await queueStats(inspected)).waitingBytes === 0);
    expect(await counts(inspected)).to.deep.equal({ waiting: 0, active: 0, delayed: 0, failed: 0, handled: 3 });
    // A worker closed leaves the consumer group as it found it: no consumer of its own left behind.
    await worker.close();
    expect(await inspected.client.xinfo("CONSUMERS", keys.ingest, MOVER_GROUP)).to.deep.equal([]);
  });

  it("keeps a body's bytes as they came, UTF-8 or not, and hands them to the handlers", async () => {
    const inbox = suite.inbox();
    const text = eventBody("j-bytes-0");
    // A body the listener took as bytes that are not UTF-8 (an XML body in GBK, say): the bytes stay as they are.
    const latin = Buffer.concat([Buffer.from(eventBody("j-bytes-1")), Buffer.from([0xff, 0xfe, 0x20])]);
    await inbox.add({ ...entryOf(text), rawBody: new Uint8Array(Buffer.from(text)) });
    await inbox.add({ ...entryOf(eventBody("j-bytes-1")), rawBody: new Uint8Array(latin) });
    await inbox.add({ ...entryOf(eventBody("j-bytes-2")), rawBody: eventBody("j-bytes-2") });
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => worker.close());
    const raw = new Map<string, Uint8Array | string>();
    worker.on("TaskFinish", (callback, context) => {
      if (callback.EventName === "TaskFinish") raw.set(callback.JobsDetail[0].JobId, context.rawBody);
    });
    await waitFor("every callback to be handled", () => raw.size === 3);
    expect(Buffer.from(raw.get("j-bytes-0") as Uint8Array).toString("utf8")).to.equal(text);
    expect(Buffer.from(raw.get("j-bytes-1") as Uint8Array).equals(latin)).to.equal(true);
    expect(raw.get("j-bytes-2")).to.equal(eventBody("j-bytes-2"));
  });

  it("a mover that died between its addBulk and its acknowledgement: another claims its entries and adds nothing twice, keyed or not", async () => {
    const inbox = suite.inbox();
    const ids = ["j-crash-0", "j-crash-1", "j-crash-2", "j-crash-3"];
    // Two with a key, two without (callbacks never deduplicated: their job id comes from the entry's).
    await Promise.all(ids.map((id, i) => inbox.add(entryOf(eventBody(id), i < 2))));
    const keys = queueKeys(DEFAULT_PREFIX, suite.queueName);
    const client = new Redis(suite.redis.url);
    suite.closeAfter(() => client.quit());

    // The dead mover's steps: it read the entries in the group and added their jobs, then died before XACK.
    await client.xgroup("CREATE", keys.ingest, MOVER_GROUP, "0", "MKSTREAM");
    const reply = (await client.xreadgroupBuffer("GROUP", MOVER_GROUP, "dead-mover", "COUNT", 64, "STREAMS", keys.ingest, ">")) as [Buffer, [Buffer, Buffer[]][]][];
    const entries = reply[0]?.[1] ?? [];
    expect(entries).to.have.length(4);
    const queue = new Queue(suite.queueName, { connection: { url: suite.redis.url }, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
    suite.closeAfter(() => queue.close());
    await queue.addBulk(entries.map((entry) => movedEntry(entry).job!));
    expect(await queue.count()).to.equal(4);

    // A worker handles the jobs at once; its mover claims the dead one's entries once idle for lockDurationMs,
    // by when the jobs are handled and removed: only their dedup marks stop a second add.
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4, lockDurationMs: 1000, stalledIntervalMs: 300 });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    const inspected = suite.look();
    await waitFor("the claimed entries to be moved", async () => (await client.xlen(keys.ingest)) === 0);
    const pending = (await client.xpending(keys.ingest, MOVER_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).to.equal(0);
    await waitFor("the queue to be empty", async () => {
      const now = await counts(inspected);
      return now.waiting + now.active + now.delayed === 0;
    });
    // A second add of a claimed entry would be handled within this wait: the worker takes jobs at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tally(handled)).to.deep.equal(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(await counts(inspected)).to.include({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it("a queue holding jobs of the previous inbox (added to BullMQ directly) drains, and their redeliveries stay duplicates", async () => {
    const keepHandledMs = 24 * 60 * 60 * 1000;
    const queue = new Queue(suite.queueName, {
      connection: { url: suite.redis.url },
      defaultJobOptions: { attempts: JOB_ATTEMPTS, backoff: { type: WORKER_BACKOFF }, removeOnComplete: true, removeOnFail: { count: 10_000 } },
    });
    suite.closeAfter(() => queue.close());
    const ids = ["j-old-0", "j-old-1", "j-old-2"];
    // As the inbox before the ingest stream added them: one job per callback, its dedup mark beside it.
    await queue.addBulk(
      ids.map((id) => {
        const entry = entryOf(eventBody(id));
        const jobId = jobIdOfKey(entry.key ?? "");
        return { name: "TaskFinish", data: storeCallback(entry, Date.now()), opts: { jobId, deduplication: { id: jobId, ttl: markTtlMs(keepHandledMs) } } };
      }),
    );
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    expect((await listener.handle(postOf(eventBody("j-old-1")))).status).to.equal(200);
    expect((await listener.handle(postOf(eventBody("j-new-0")))).status).to.equal(200);
    const inspected = suite.look();
    const keys = queueKeys(DEFAULT_PREFIX, suite.queueName);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(1);
    expect(await counts(inspected)).to.include({ waiting: 4 });

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4 });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("every callback to be handled", async () => (await counts(inspected)).handled === 4);
    expect(tally(handled)).to.deep.equal({ "j-old-0": 1, "j-old-1": 1, "j-old-2": 1, "j-new-0": 1 });
    expect((await listener.handle(postOf(eventBody("j-old-2")))).status).to.equal(200);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(0);
    expect(await counts(inspected)).to.deep.equal({ waiting: 0, active: 0, delayed: 0, failed: 0, handled: 4 });
  });
});
