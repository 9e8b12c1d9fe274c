// What the inbox and the worker say and count, on a real redis-server: the worker's lines name the event and
// the attempt with no stack unless at debug; an outage is a few lines, not one per reconnection; the attempts,
// the handlers' time and the inbox's gauges read with the real OpenTelemetry SDK.
import type { Histogram } from "@opentelemetry/sdk-metrics";
import { expect } from "chai";
import { createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker } from "../../src/inbox";
import { counts, eventBody, inspect, keyOf, postOf, useInboxSuite, waitFor } from "../support/inbox";
import { memoryMetrics, points } from "../support/metrics";
import { STACK_FRAME, recordingLogger } from "../support/logger";

describe("inbox: logs and metrics of the inbox and the worker (real redis-server)", function () {
  this.timeout(60_000);
  const suite = useInboxSuite();

  async function enqueue(bodies: string[]): Promise<void> {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName });
    try {
      const listener = createCallbackListener({ inbox, secret: false });
      for (const body of bodies) expect((await listener.handle(postOf(body))).status).to.equal(200);
    } finally {
      await inbox.close();
    }
  }

  it("writes a line per failed attempt and one for the job failed for good, each naming the JobId, stacks at debug", async () => {
    const body = eventBody("j-always-fails");
    await enqueue([body]);
    const { lines, logger } = recordingLogger();
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, attempts: 2, backoff: { type: "fixed", delayMs: 0 }, logger });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", () => {
      throw new RangeError("the output bucket is gone");
    });
    await waitFor("the job failed for good", () => lines.error.length === 1);
    const named = `event=TaskFinish tag=Transcode id=j-always-fails key=${keyOf(body)}`;
    const who = `ci-callback worker ${suite.queueName}`;
    expect(lines.warn).to.deep.equal([
      `${who}: an attempt failed, to be retried: RangeError: the output bucket is gone (${named} attempt=1/2)`,
      `${who}: the last attempt failed: RangeError: the output bucket is gone (${named} attempt=2/2)`,
    ]);
    expect(lines.error[0]).to.equal(
      `${who}: failed for good after 2 attempts (kept as failed; \`ci-callback inbox retry\` re-queues it): RangeError: the output bucket is gone (${named})`,
    );
    expect([...lines.warn, ...lines.error].join("\n")).not.to.match(STACK_FRAME);
    expect(lines.debug).to.have.length(2);
    for (const line of lines.debug) expect(line).to.match(STACK_FRAME);
  });

  it("counts attempts by outcome and times the handlers, by event", async () => {
    const meters = memoryMetrics();
    suite.closeAfter(() => meters.shutdown());
    await enqueue([eventBody("j-ok-1"), eventBody("j-ok-2"), eventBody("j-fails-once")]);
    let failedOnce = false;
    const worker = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      backoff: { type: "fixed", delayMs: 0 },
      meterProvider: meters.provider,
      onError: () => undefined,
    });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", (callback) => {
      if (callback.EventName === "TaskFinish" && callback.JobsDetail[0].JobId === "j-fails-once" && !failedOnce) {
        failedOnce = true;
        throw new Error("once");
      }
    });
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    await waitFor("three jobs handled", async () => (await counts(queue)).handled === 3);
    const found = await meters.collect();
    expect(points(found, "ci_callback.worker.attempts")).to.deep.equal([
      { attributes: { "ci_callback.outcome": "error" }, value: 1 },
      { attributes: { "ci_callback.outcome": "success" }, value: 3 },
    ]);
    const handler = points(found, "ci_callback.handler.duration").map((p) => ({ ...p.attributes, count: (p.value as Histogram).count }));
    expect(handler).to.deep.equal([
      { "ci_callback.event": "TaskFinish", "ci_callback.outcome": "error", count: 1 },
      { "ci_callback.event": "TaskFinish", "ci_callback.outcome": "success", count: 3 },
    ]);
  });

  it("reports the callbacks waiting in the inbox and the oldest one's age, in seconds", async () => {
    const meters = memoryMetrics();
    suite.closeAfter(() => meters.shutdown());
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, meterProvider: meters.provider });
    suite.closeAfter(() => inbox.close());
    const listener = createCallbackListener({ inbox, secret: false });
    for (const jobId of ["w-1", "w-2", "w-3"]) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    const stats = await inbox.stats();
    const found = await meters.collect();
    const attributes = { "ci_callback.queue": suite.queueName };
    expect(points(found, "ci_callback.inbox.waiting")).to.deep.equal([{ attributes, value: 3 }]);
    expect(found.get("ci_callback.inbox.oldest_waiting_age")?.unit).to.equal("s");
    const [age] = points(found, "ci_callback.inbox.oldest_waiting_age");
    expect(age?.attributes).to.deep.equal(attributes);
    expect(age?.value).to.be.a("number").at.least((stats.total.oldestWaitingMs ?? 0) / 1000).and.below(60);

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => worker.close());
    await waitFor("the inbox emptied", async () => (await inbox.stats()).total.waiting === 0);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the gauges read the inbox at most once a second
    expect(points(await meters.collect(), "ci_callback.inbox.waiting")).to.deep.equal([{ attributes, value: 0 }]);
  });

  it("writes an outage as one error line per kind of error, not one per reconnection, and an info line when Redis is back", async () => {
    const { lines, logger } = recordingLogger();
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, logger });
    suite.closeAfter(() => inbox.close());
    await waitFor("the inbox connected", async () => (await inbox.stats().then(() => true, () => false)));
    await suite.redis.stop();
    // ioredis reconnects every 100 ms, then 200, …: several failed reconnections, each an error event.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await suite.redis.start();
    await waitFor("the info line saying the connection is back", () => lines.info.length === 1);
    expect(lines.error.length).to.be.within(1, 3);
    for (const line of lines.error) expect(line).to.match(new RegExp(`^ci-callback inbox ${suite.queueName}: connection error: `));
    expect(lines.info).to.deep.equal([`ci-callback inbox ${suite.queueName}: connection ready again`]);
    expect(lines.error.join("\n")).not.to.match(STACK_FRAME);
  });
});
