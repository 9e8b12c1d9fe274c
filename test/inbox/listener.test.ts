import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { createCallbackListener, parseCallback, type CallbackContext, type CallbackInbox, type InboxEntry } from "../../src";
import { createCallbackInbox, createCallbackWorker } from "../../src/inbox";
import { counts, eventBody, inspect, keyOf, postOf, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

describe("inbox: the listener with an inbox (real redis-server)", function () {
  // Waits end on events (a job state, a child's exit); this bound is for a hang on a loaded machine.
  this.timeout(300_000);
  const suite = useInboxSuite();

  function inbox() {
    const made = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => made.close());
    return made;
  }

  it("gives one job for the deliveries of one event to two listener instances, before and after it is handled", async () => {
    const first = createCallbackListener({ inbox: inbox(), secret: false });
    const second = createCallbackListener({ inbox: inbox(), secret: false });
    const body = eventBody("j-twice");
    const replies = await Promise.all([first, second, first, second].map((listener) => listener.handle(postOf(body))));
    expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    expect(await counts(queue)).to.include({ waiting: 1 });

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("the job to complete", async () => (await counts(queue)).handled === 1);
    // A redelivery after the event was handled: acknowledged, and no second job.
    expect((await second.handle(postOf(body))).status).to.equal(200);
    expect(await counts(queue)).to.include({ waiting: 0, handled: 1 });
    await worker.close();
    expect(handled).to.deep.equal(["j-twice"]);
  });

  it("hands the worker's handlers the listener's context: the raw bytes, content type, version, names and key", async () => {
    const listener = createCallbackListener({ inbox: inbox(), secret: false });
    const body = eventBody("j-context");
    // A gzipped body: the listener undoes the encoding and stores the bytes it parsed.
    const gzipped = gzipSync(body);
    const request = { ...postOf(gzipped, { contentType: "application/json" }), contentEncoding: "gzip", contentVersion: "Detail" };
    expect((await listener.handle(request)).status).to.equal(200);
    const seen: CallbackContext[] = [];
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", (_callback, context) => void seen.push(context));
    await waitFor("the handler", () => seen.length === 1);
    const [context] = seen;
    expect(Buffer.from(context?.rawBody ?? "").toString("utf8")).to.equal(body);
    expect(context?.rawBody).to.be.instanceOf(Uint8Array);
    expect(context).to.include({ key: keyOf(body), contentType: "application/json", contentVersion: "Detail" });
    expect(context?.names).to.deep.equal(["TaskFinish", "TaskFinish:Transcode"]);
    expect(context?.signal.aborted).to.equal(false);
  });

  it("refuses handlers, handlerTimeoutMs and dedup on a listener with an inbox, rather than ignore them", () => {
    const queued: InboxEntry[] = [];
    const memory: CallbackInbox = { add: async (entry) => void queued.push(entry) };
    expect(() => createCallbackListener({ inbox: memory, secret: false, handler: () => undefined })).to.throw(TypeError, /^handler: .*createCallbackWorker/);
    expect(() => createCallbackListener({ inbox: memory, secret: false, handlerTimeoutMs: 10, dedup: false })).to.throw(
      TypeError,
      /^handlerTimeoutMs, dedup: a listener with an inbox runs no handler/,
    );
    const listener = createCallbackListener({ inbox: memory, secret: false });
    expect(() => listener.on("TaskFinish", () => undefined)).to.throw(TypeError, /register handlers on the worker/);
  });

  it("takes any CallbackInbox: 200 once add resolves, 503 with Retry-After when it rejects", async () => {
    const queued: InboxEntry[] = [];
    let down = false;
    const memory: CallbackInbox = {
      add: async (entry) => {
        if (down) throw new Error("the queue is down");
        queued.push(entry);
      },
    };
    const errors: unknown[] = [];
    const listener = createCallbackListener({ inbox: memory, secret: false, onError: (error) => errors.push(error) });
    const body = eventBody("j-pluggable");
    expect((await listener.handle(postOf(body))).status).to.equal(200);
    expect(queued).to.deep.equal([
      {
        key: keyOf(body),
        names: ["TaskFinish", "TaskFinish:Transcode"],
        rawBody: body,
        contentType: undefined,
        contentVersion: undefined,
        event: { name: "TaskFinish", tag: "Transcode", id: "j-pluggable" },
        callback: parseCallback(body),
      },
    ]);
    down = true;
    const refused = await listener.handle(postOf(body));
    expect(refused.status).to.equal(503);
    expect(refused.headers["retry-after"]).to.equal("5");
    expect(JSON.parse(refused.body)).to.deep.equal({ ok: false, error: { kind: "inbox", message: "the callback could not be stored; deliver again later" } });
    expect(errors.map(String)).to.deep.equal(["Error: the queue is down"]);
    // Invalid bodies are refused before the inbox, as without one.
    expect((await listener.handle(postOf("{}"))).status).to.equal(400);
  });
});
