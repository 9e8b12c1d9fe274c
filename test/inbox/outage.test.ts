import { expect } from "chai";
import { createCallbackListener, type ListenerErrorContext } from "../../src";
import { createCallbackInbox, createCallbackWorker } from "../../src/inbox";
import { post, serve, type Served } from "../support/http";
import { counts, eventBody, inspect, postOf, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

describe("inbox: Redis stopped while the listener receives (real redis-server, stopped and started again)", function () {
  // Waits end on events (a job state, a child's exit); this bound is for a hang on a loaded machine.
  this.timeout(300_000);
  const suite = useInboxSuite();

  it("answers 503 with Retry-After while Redis is away, acknowledges only what was stored, and resumes", async () => {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, timeoutMs: 1000, onError: () => undefined });
    suite.closeAfter(() => inbox.close());
    const reported: ListenerErrorContext[] = [];
    const listener = createCallbackListener({ inbox, secret: false, onError: (_error, context) => reported.push(context) });
    const served: Served = await serve(listener);
    suite.closeAfter(() => served.close());

    // One sender posting distinct events one after the other, while the test stops and starts Redis.
    const answers = new Map<string, { status: number; retryAfter: string | undefined }>();
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending && i < 2000; i++) {
        const jobId = `j-outage-${i}`;
        const reply = await post(served.origin, eventBody(jobId));
        answers.set(jobId, { status: reply.status, retryAfter: reply.headers["retry-after"] as string | undefined });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const statuses = () => [...answers.values()].map((a) => a.status);
    try {
      await waitFor("5 acknowledgements", () => statuses().filter((s) => s === 200).length >= 5);
      await suite.redis.stop();
      const before = answers.size;
      await waitFor("5 answers while Redis is away", () => answers.size >= before + 5);
      await suite.redis.start();
      const back = answers.size;
      await waitFor("5 acknowledgements after Redis is back", () => [...answers.values()].slice(back).filter((a) => a.status === 200).length >= 5);
    } finally {
      sending = false;
      await sender;
    }

    const refused = [...answers.entries()].filter(([, a]) => a.status !== 200);
    expect(refused.length).to.be.greaterThan(0);
    for (const [, answer] of refused) expect(answer).to.deep.equal({ status: 503, retryAfter: "5" });
    expect(reported.length).to.equal(refused.length);
    expect(reported.every((context) => context.stage === "inbox")).to.equal(true);

    // Every acknowledged event is handled; a refused one may have been stored too (its reply lost), never the reverse.
    const acked = [...answers.entries()].filter(([, a]) => a.status === 200).map(([jobId]) => jobId);
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 8 });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    await waitFor("the queue to drain", async () => {
      const now = await counts(queue);
      return now.waiting === 0 && now.active === 0 && now.delayed === 0 && now.handled >= acked.length;
    });
    for (const jobId of acked) expect(handled.includes(jobId), `${jobId} was acknowledged but not handled`).to.equal(true);
    for (const jobId of handled) expect(answers.has(jobId)).to.equal(true);
  });

  it("started while Redis is down, answers 503 within timeoutMs, then 200 once Redis is up", async () => {
    await suite.redis.stop();
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, timeoutMs: 300, onError: () => undefined });
    suite.closeAfter(() => inbox.close());
    const listener = createCallbackListener({ inbox, secret: false, onError: () => undefined });
    const refused = await listener.handle(postOf(eventBody("j-cold-0")));
    expect(refused.status).to.equal(503);
    await suite.redis.start();
    let i = 1;
    await waitFor("an acknowledgement once Redis is up", async () => (await listener.handle(postOf(eventBody(`j-cold-${i++}`)))).status === 200);
    expect((await inbox.stats()).total.waiting).to.be.at.least(1);
  });
});
