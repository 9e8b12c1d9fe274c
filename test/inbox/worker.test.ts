import { expect } from "chai";
import { HandlerTimeoutError, createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker, type WorkerErrorContext } from "../../src/inbox";
import { counts, eventBody, inspect, keyOf, postOf, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

describe("inbox: the worker (real redis-server)", function () {
  // Waits end on events (a job state, a child's exit); this bound is for a hang on a loaded machine.
  this.timeout(300_000);
  const suite = useInboxSuite();

  async function enqueue(body: string): Promise<void> {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName });
    try {
      expect((await createCallbackListener({ inbox, secret: false }).handle(postOf(body))).status).to.equal(200);
    } finally {
      await inbox.close();
    }
  }

  it("fails an attempt that runs past handlerTimeoutMs, aborts its signal, and succeeds on the next", async () => {
    const body = eventBody("j-slow");
    await enqueue(body);
    const errors: { error: unknown; context: WorkerErrorContext }[] = [];
    const signals: AbortSignal[] = [];
    const worker = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      handlerTimeoutMs: 50,
      backoff: { type: "fixed", delayMs: 0 },
      onError: (error, context) => errors.push({ error, context }),
    });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", async (_callback, context) => {
      signals.push(context.signal);
      // The first attempt waits for its signal, as a handler that passes it on does.
      if (signals.length === 1) await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
    });
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    await waitFor("the job to complete", async () => (await counts(queue)).handled === 1);
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([true, false]);
    expect(errors).to.have.length(1);
    expect(errors[0]?.error).to.be.instanceOf(HandlerTimeoutError);
    expect(errors[0]?.context).to.deep.include({ stage: "handler", key: keyOf(body), attempt: 1 });
  });

  it("fails at once, without retrying, a stored body that does not parse under the worker's options", async () => {
    // Valid for a listener that is not strict; a strict worker finds an unknown node.
    const body = eventBody("j-unknown-node").replace('"JobId"', '"Extra": "x", "JobId"');
    await enqueue(body);
    const stages: string[] = [];
    const failed: number[] = [];
    const worker = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      strict: true,
      onError: (_error, context) => stages.push(context.stage),
      onFailed: (_error, context) => failed.push(context.attempts),
    });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", () => expect.fail("no handler sees a body that does not parse"));
    await waitFor("the job to fail", () => failed.length === 1);
    expect(stages).to.deep.equal(["body"]);
    expect(failed).to.deep.equal([1]);
  });

  it("refuses options out of range and a name that is not an event", async () => {
    const connection = suite.redis.url;
    const { queueName } = suite;
    expect(() => createCallbackWorker({ connection, queueName, attempts: 0 })).to.throw(RangeError, /attempts/);
    expect(() => createCallbackWorker({ connection, queueName: "a:b" })).to.throw(TypeError, /queueName/);
    expect(() => createCallbackInbox({ connection, queueName, timeoutMs: -1 })).to.throw(RangeError, /timeoutMs/);
    const worker = createCallbackWorker({ connection, queueName });
    suite.closeAfter(() => worker.close());
    expect(() => worker.on("TaskFinish:Transcod" as "TaskFinish", () => undefined)).to.throw(RangeError, /not a job Tag this package knows/);
  });

  it("close({ timeoutMs }) ends with a handler still running, and another worker takes its job back", async () => {
    await enqueue(eventBody("j-stuck"));
    let started = 0;
    const stuck = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, lockDurationMs: 1000, stalledIntervalMs: 500, onError: () => undefined });
    stuck.on("TaskFinish", () => {
      started++;
      return new Promise(() => undefined);
    });
    await waitFor("the handler to start", () => started === 1);
    await stuck.close({ timeoutMs: 100 });
    const second = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, lockDurationMs: 1000, stalledIntervalMs: 500 });
    suite.closeAfter(() => second.close());
    const handled = recordHandled(second);
    await waitFor("the job to be handled by the second worker", () => handled.length === 1);
    expect(handled).to.deep.equal(["j-stuck"]);
  });
});
