import { expect } from "chai";
import { createCallbackListener } from "../../src";
import { createCallbackWorker, type FailedJobContext, type WorkerErrorContext } from "../../src/inbox";
import { DEFAULT_PREFIX, queueKeys } from "../../src/inbox/connection";
import { jobIdOfKey } from "../../src/inbox/stored-callback";
import { counts, eventBody, keyOf, postOf, queueStats, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

describe("inbox: first attempts straight from the ingest stream (real redis-server)", function () {
  // Waits end on events (a count, a handler's call); this bound is for a hang on a loaded machine.
  this.timeout(120_000);
  const suite = useInboxSuite();

  /** The events BullMQ wrote for the test's queue (its events stream), by name. */
  async function bullmqEvents(): Promise<string[]> {
    const entries = await suite.look().client.xrange(queueKeys(DEFAULT_PREFIX, suite.queueName).events, "-", "+");
    return entries.map(([, fields]) => fields[fields.indexOf("event") + 1] ?? "");
  }

  it("handles a callback without making a job: its dedup mark lasts keepHandledMs, its bytes stop counting, a redelivery is a duplicate", async () => {
    const keepHandledMs = 60_000;
    const listener = createCallbackListener({ inbox: suite.inbox({ keepHandledMs }), secret: false });
    const body = eventBody("j-direct");
    expect((await listener.handle(postOf(body))).status).to.equal(200);
    const inspected = suite.look();
    expect(await queueStats(inspected)).to.include({ waiting: 1, waitingBytes: 2 * Buffer.byteLength(body) });

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("the callback to be handled", async () => (await counts(inspected)).handled === 1);
    expect(handled).to.deep.equal(["j-direct"]);
    expect(await bullmqEvents()).to.not.include("added");
    const keys = queueKeys(DEFAULT_PREFIX, suite.queueName);
    const jobId = jobIdOfKey(keyOf(body) ?? "");
    expect(await inspected.client.get(keys.mark(jobId))).to.equal(jobId);
    // Set when it was handled, for keepHandledMs (the mark of a job is set when it is added, with a grace).
    expect(await inspected.client.pttl(keys.mark(jobId))).to.be.within(keepHandledMs - 10_000, keepHandledMs);
    expect(await inspected.client.exists(keys.ingestMark(jobId), keys.base + jobId)).to.equal(0);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(0);
    expect(await queueStats(inspected)).to.include({ waiting: 0, active: 0, waitingBytes: 0, handled: 1 });

    expect((await listener.handle(postOf(body))).status).to.equal(200);
    expect(await inspected.client.xlen(keys.ingest)).to.equal(0);
    expect(handled).to.deep.equal(["j-direct"]);
  });

  it("makes a failed first attempt a delayed job: retried after the backoff, its attempts counted with the first, then failed for good", async () => {
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const body = eventBody("j-fails");
    expect((await listener.handle(postOf(body))).status).to.equal(200);
    const errors: WorkerErrorContext[] = [];
    const failed: FailedJobContext[] = [];
    const attemptedAt: number[] = [];
    const delayMs = 300;
    const worker = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      attempts: 3,
      backoff: { type: "fixed", delayMs },
      onError: (_error, context) => errors.push(context),
      onFailed: (_error, context) => failed.push(context),
    });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", () => {
      attemptedAt.push(Date.now());
      throw new Error(`attempt ${attemptedAt.length} fails`);
    });
    await waitFor("the callback to fail for good", () => failed.length === 1);
    expect(attemptedAt).to.have.length(3);
    expect(errors.map((context) => [context.stage, context.attempt])).to.deep.equal([
      ["handler", 1],
      ["handler", 2],
      ["handler", 3],
    ]);
    expect(attemptedAt[1]! - attemptedAt[0]!).to.be.at.least(delayMs - 5);
    expect(failed[0]).to.include({ attempts: 3, key: keyOf(body) });
    expect(await bullmqEvents()).to.include.members(["added", "delayed", "failed"]);
    expect(await counts(suite.look())).to.include({ waiting: 0, active: 0, delayed: 0, failed: 1 });
  });

  it("renews its hold on a callback whose handler runs past lockDurationMs: another worker does not take it", async () => {
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const options = { connection: suite.redis.url, queueName: suite.queueName, lockDurationMs: 200, stalledIntervalMs: 50 };
    const slow = createCallbackWorker(options);
    suite.closeAfter(() => slow.close());
    const started: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    slow.on("TaskFinish", async (callback) => {
      if (callback.EventName === "TaskFinish") started.push(callback.JobsDetail[0].JobId);
      await released;
    });
    expect((await listener.handle(postOf(eventBody("j-long")))).status).to.equal(200);
    await waitFor("the first worker to start the callback", () => started.length === 1);
    const other = createCallbackWorker(options);
    suite.closeAfter(() => other.close());
    const takenByOther = recordHandled(other);
    // Five lock durations, twenty of the other worker's looks for entries idle that long.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await counts(suite.look())).to.include({ active: 1, waiting: 0, delayed: 0 });
    release();
    await waitFor("the callback to be handled", async () => (await counts(suite.look())).handled === 1);
    expect(started).to.deep.equal(["j-long"]);
    expect(takenByOther).to.deep.equal([]);
  });

  it("runs at most `concurrency` handlers at once, first attempts and retries together", async () => {
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const jobIds = Array.from({ length: 8 }, (_, i) => `j-slot-${i}`);
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 2, backoff: { type: "fixed", delayMs: 0 }, onError: () => undefined });
    suite.closeAfter(() => worker.close());
    let running = 0;
    let most = 0;
    const attempted = new Set<string>();
    const handled: string[] = [];
    worker.on("TaskFinish", async (callback) => {
      if (callback.EventName !== "TaskFinish") return;
      const jobId = callback.JobsDetail[0].JobId;
      running++;
      most = Math.max(most, running);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Every other callback fails its first attempt: its retries run as jobs beside the first attempts.
        const first = !attempted.has(jobId);
        attempted.add(jobId);
        if (first && Number(jobId.slice(-1)) % 2 === 0) throw new Error("first attempt fails");
        handled.push(jobId);
      } finally {
        running--;
      }
    });
    for (const jobId of jobIds) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    await waitFor("every callback to be handled", () => handled.length === jobIds.length);
    expect([...handled].sort()).to.deep.equal([...jobIds].sort());
    expect(most).to.equal(2);
  });

  it("Redis stopped and started while a worker holds callbacks: each one is handled, none is lost, the stream drains", async () => {
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    const jobIds = Array.from({ length: 12 }, (_, i) => `j-away-${i}`);
    for (const jobId of jobIds) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4, lockDurationMs: 1000, stalledIntervalMs: 200, onError: () => undefined });
    suite.closeAfter(() => worker.close());
    const started: string[] = [];
    const handled: string[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    worker.on("TaskFinish", async (callback) => {
      if (callback.EventName !== "TaskFinish") return;
      started.push(callback.JobsDetail[0].JobId);
      await gate;
      handled.push(callback.JobsDetail[0].JobId);
    });
    await waitFor("4 callbacks in hand", () => started.length === 4);
    await suite.redis.stop();
    // Handled while Redis is away: their step (mark, acknowledgement) waits for it.
    open();
    await waitFor("the callbacks in hand to be handled", () => handled.length === 4);
    await suite.redis.start();
    const inspected = suite.look();
    await waitFor("every callback to be handled and the stream to drain", async () => {
      const now = await counts(inspected);
      return now.waiting === 0 && now.active === 0 && now.delayed === 0 && jobIds.every((jobId) => handled.includes(jobId));
    });
    // At least once each (a callback in hand while Redis was away may be claimed and handled again).
    expect([...new Set(handled)].sort()).to.deep.equal([...jobIds].sort());
    expect(await inspected.client.xlen(queueKeys(DEFAULT_PREFIX, suite.queueName).ingest)).to.equal(0);
    expect((await counts(inspected)).handled).to.equal(jobIds.length);
  });

  it("leaves every callback to BullMQ with one attempt: a failure is final and kept as failed", async () => {
    const listener = createCallbackListener({ inbox: suite.inbox(), secret: false });
    expect((await listener.handle(postOf(eventBody("j-once")))).status).to.equal(200);
    const failed: FailedJobContext[] = [];
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, attempts: 1, onError: () => undefined, onFailed: (_error, context) => failed.push(context) });
    suite.closeAfter(() => worker.close());
    let calls = 0;
    worker.on("TaskFinish", () => {
      calls++;
      throw new Error("fails");
    });
    await waitFor("the callback to fail", () => failed.length === 1);
    expect(calls).to.equal(1);
    expect(failed[0]).to.include({ attempts: 1 });
    expect(await counts(suite.look())).to.include({ failed: 1, waiting: 0, delayed: 0 });
  });
});
