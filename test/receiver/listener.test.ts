import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { expect } from "chai";
import {
  MemoryDedupStore,
  HandlerTimeoutError,
  createCallbackListener,
  identifyEvent,
  parseCallback,
  type CallbackContext,
  type CallbackEventName,
  type CallbackListenerOptions,
  type ListenerErrorContext,
  type ReceivedCallback,
  isKnownCallback,
} from "../../src";
import { deferred } from "../support/deferred";
import { exampleText } from "../support/examples";
import { post, send, serve, type Served } from "../support/http";
import { SpyStore } from "./spy-store";

const seedJobId = "j7d0eafdaf86c11ecbdf419856486c0ab";
const seedXml = exampleText("VideoEnhance/seed-2.xml");
const seedJson = exampleText("VideoEnhance/seed-3.json");
const seedKey = identifyEvent(parseCallback(seedXml)).key;
/** The seed with another JobId, for a distinct event. */
const withJobId = (body: string, jobId: string): string => body.replaceAll(seedJobId, jobId);

interface Delivery {
  callback: ReceivedCallback;
  context: CallbackContext;
}

describe("receiver: the node:http listener", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  /** Serves a listener with silent error reporting; returns its URL and what its handler saw. */
  async function start(options: CallbackListenerOptions = {}) {
    const deliveries: Delivery[] = [];
    const errors: { error: unknown; context: ListenerErrorContext }[] = [];
    const listener = createCallbackListener({
      secret: false,
      handler: (callback, context) => {
        deliveries.push({ callback, context });
      },
      onError: (error, context) => errors.push({ error, context }),
      ...options,
    });
    served = await serve(listener);
    return { listener, url: `${served.origin}/ci/callback`, deliveries, errors };
  }

  it("answers 200 to the seed XML and JSON, handing the handler the parsed callback and its identity", async () => {
    const { url, deliveries } = await start({ dedup: false });
    const xml = await post(url, seedXml);
    const json = await post(url, seedJson, "application/json");
    expect([xml.status, json.status]).to.deep.equal([200, 200]);
    expect(xml.json).to.deep.equal({ ok: true });
    expect(xml.headers["content-type"]).to.match(/^application\/json/);
    expect(deliveries).to.have.length(2);
    expect(deliveries[0].callback).to.deep.equal(deliveries[1].callback);
    expect(deliveries[0].context.names).to.deep.equal(["TaskFinish", "TaskFinish:VideoEnhance"]);
    expect(deliveries[0].context.key).to.equal(identifyEvent(deliveries[0].callback).key);
    expect(deliveries[0].context.key).to.match(/^TaskFinish:[\w-]{43}$/);
    expect(Buffer.from(deliveries[0].context.rawBody).toString("utf8")).to.equal(seedXml);
    expect(deliveries[1].context.contentType).to.equal("application/json");
  });

  it("dispatches to on(EventName) and on(EventName:Tag) handlers, in that order, and off removes one", async () => {
    const { listener, url } = await start();
    const calls: string[] = [];
    const onTag = (callback: { JobsDetail: [{ Tag: "VideoEnhance" }, ...unknown[]] }): void => {
      calls.push(`tag:${callback.JobsDetail[0].Tag}`);
    };
    listener
      .on("TaskFinish:VideoEnhance", onTag)
      .on("TaskFinish", (callback) => {
        calls.push(`event:${callback.EventName}`);
      })
      .on("TaskFinish:Transcode", (callback) => {
        // Typed by the Tag: the first job is a TranscodeJob.
        const tag: "Transcode" = callback.JobsDetail[0].Tag;
        calls.push(`wrong:${tag}`);
      })
      .on("WorkflowFinish", (callback) => {
        calls.push(`workflow:${callback.WorkflowExecution.RunId}`);
      });
    expect((await post(url, withJobId(seedXml, "j-first"))).status).to.equal(200);
    listener.off("TaskFinish:VideoEnhance", onTag);
    expect((await post(url, withJobId(seedXml, "j-second"))).status).to.equal(200);
    expect((await post(url, exampleText("WorkflowFinish/zh-863275522-1.xml"))).status).to.equal(200);
    expect(calls).to.deep.equal(["event:TaskFinish", "tag:VideoEnhance", "event:TaskFinish", "workflow:i166ee19017b011eda8a5525400c540df"]);
  });

  it("refuses, at on() and off(), a name no callback is dispatched under, and says how to handle a newer Tag", async () => {
    const { listener, url } = await start();
    const handler = (): void => undefined;
    // The names a compiler refuses (test/types.test.ts), as plain JavaScript could pass them.
    const future = "TaskFinish:FutureJob" as CallbackEventName;
    expect(() => listener.on(future, handler)).to.throw(RangeError, /"FutureJob" is not a job Tag .* subscribe to "TaskFinish" and check callback\.JobsDetail\[0\]\.Tag/);
    expect(() => listener.on("TaskFinish:Transcod" as CallbackEventName, handler)).to.throw(RangeError, /"Transcod" is not a job Tag/);
    expect(() => listener.on("TaskFinsh" as CallbackEventName, handler)).to.throw(RangeError, /"TaskFinsh"\): not an event name/);
    expect(() => listener.on("WorkflowFinish:Transcode" as CallbackEventName, handler)).to.throw(RangeError, /not an event name/);
    expect(() => listener.on("TaskFinish:Transcode:x" as CallbackEventName, handler)).to.throw(RangeError);
    expect(() => listener.off(future, handler)).to.throw(RangeError);
    // The escape hatch: a Tag newer than the package reaches on("TaskFinish"), where its Tag is checked.
    const tags: string[] = [];
    listener.on("TaskFinish", (callback) => {
      const job = callback.JobsDetail[0];
      if (job.Tag === "FutureJob") tags.push(job.Tag);
    });
    expect((await post(url, seedXml.replace(/VideoEnhance</g, "FutureJob<"))).status).to.equal(200);
    expect((await post(url, withJobId(seedXml, "j-known"))).status).to.equal(200);
    expect(tags).to.deep.equal(["FutureJob"]);
  });

  describe("without a secret", () => {
    it("warns once through onError (stage config) unless secret: false says so on purpose", () => {
      const told: { error: unknown; context: ListenerErrorContext }[] = [];
      const onError = (error: unknown, context: ListenerErrorContext): number => told.push({ error, context });
      createCallbackListener({ onError });
      expect(told).to.have.length(1);
      expect(told[0].context).to.deep.equal({ stage: "config" });
      expect(String(told[0].error)).to.match(/no secret.*forged callback.*`secret: false`/);
      createCallbackListener({ onError, secret: false });
      createCallbackListener({ onError, secret: "s3cret" });
      createCallbackListener({ onError, secret: { values: ["s3cret"], in: "path" } });
      expect(told).to.have.length(1);
    });

    it("warns on the console by default: one line, no stack", () => {
      const warned: unknown[][] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void warned.push(args);
      try {
        createCallbackListener();
        createCallbackListener({ secret: false });
      } finally {
        console.warn = warn;
      }
      expect(warned).to.have.length(1);
      expect(warned[0]).to.have.length(1);
      expect(String(warned[0][0])).to.match(/^ci-callback: this listener has no secret/);
      expect(String(warned[0][0])).to.not.include("\n");
    });
  });

  it("answers only after the handler has finished", async () => {
    let finished = false;
    const { url } = await start({
      handler: async () => {
        // Several turns of the event loop, so an early answer would get ahead of the flag.
        for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
        finished = true;
      },
    });
    const reply = await post(url, seedXml);
    expect(reply.status).to.equal(200);
    expect(finished).to.equal(true);
  });

  it("answers 500 when the handler throws or rejects, without the error's text, and reports it", async () => {
    const { url, errors } = await start({
      dedup: false,
      handler: (callback) => {
        if (isKnownCallback(callback) && callback.EventName === "TaskFinish" && callback.JobsDetail[0].JobId === "j-throws") throw new Error("database password is hunter2");
        return Promise.reject(new Error("down"));
      },
    });
    const thrown = await post(url, withJobId(seedXml, "j-throws"));
    const rejected = await post(url, seedXml);
    expect([thrown.status, rejected.status]).to.deep.equal([500, 500]);
    expect(thrown.json).to.deep.equal({ ok: false, error: { kind: "handler", message: "the handler failed; deliver again" } });
    expect(thrown.text).not.to.include("hunter2");
    expect(errors.map((e) => e.context)).to.deep.equal([
      { stage: "handler", key: identifyEvent(parseCallback(withJobId(seedXml, "j-throws"))).key },
      { stage: "handler", key: seedKey },
    ]);
  });

  it("answers 400 with the issues to an invalid body, never echoing it", async () => {
    const invalid: unknown[] = [];
    const { url, deliveries } = await start({ onInvalid: (error) => invalid.push(error.kind) });
    const marker = "Secret-Marker-7f3a";
    const badState = await post(url, seedXml.replace("<State>Success</State>", `<State>${marker}</State>`));
    expect(badState.status).to.equal(400);
    expect(badState.text).not.to.include(marker);
    const body = badState.json as { ok: boolean; error: { kind: string; issues: { path: string; message: string }[] } };
    expect(body.ok).to.equal(false);
    expect(body.error.kind).to.equal("validation");
    expect(body.error.issues.map((i) => i.path)).to.include("/JobsDetail/0/State");
    const garbage = await post(url, `${marker} is neither XML nor JSON`);
    expect(garbage.status).to.equal(400);
    expect((garbage.json as { error: { kind: string } }).error.kind).to.equal("parse");
    expect(garbage.text).not.to.include(marker);
    expect(invalid).to.deep.equal(["validation", "parse"]);
    expect(deliveries).to.have.length(0);
  });

  it("answers 405 with Allow: POST to other methods", async () => {
    const { url, deliveries } = await start();
    for (const method of ["GET", "PUT", "DELETE"]) {
      const reply = await send(url, { method });
      expect(reply.status).to.equal(405);
      expect(reply.headers.allow).to.equal("POST");
    }
    expect(deliveries).to.have.length(0);
  });

  it("answers 413 to a body over the limit, by its Content-Length or as it streams", async () => {
    const { url, deliveries } = await start({ maxBytes: 1000 });
    const declared = await post(url, `${seedXml}${" ".repeat(2000)}`);
    expect(declared.status).to.equal(413);
    expect((declared.json as { error: { kind: string } }).error.kind).to.equal("limit");
    // Chunked, so no Content-Length tells the size in advance.
    const streamed = await send(url, { chunks: Array.from({ length: 8 }, () => "x".repeat(500)) });
    expect(streamed.status).to.equal(413);
    expect(deliveries).to.have.length(0);
  });

  it("answers 408 to a body that does not arrive in time", async () => {
    const { url, deliveries } = await start({ bodyTimeoutMs: 200 });
    // Half a body, then nothing: the listener gives up and answers.
    const reply = await send(url, { headers: { "content-length": 5000 }, chunks: [seedXml.slice(0, 100)], end: false });
    expect(reply.status).to.equal(408);
    expect((reply.json as { error: { kind: string } }).error.kind).to.equal("timeout");
    expect(deliveries).to.have.length(0);
  });

  describe("shared secret in the URL", () => {
    it("accepts the right query token and answers 401 to a missing or wrong one", async () => {
      const { url, deliveries } = await start({ secret: "s3cr3t", dedup: false });
      expect((await post(`${url}?token=s3cr3t`, seedXml)).status).to.equal(200);
      const missing = await post(url, seedXml);
      const wrong = await post(`${url}?token=s3cr3`, seedXml);
      const longer = await post(`${url}?token=s3cr3tt`, seedXml);
      expect([missing.status, wrong.status, longer.status]).to.deep.equal([401, 401, 401]);
      expect((wrong.json as { error: { kind: string } }).error.kind).to.equal("unauthorized");
      expect(deliveries).to.have.length(1);
    });

    it("reads it from the last path segment or a named parameter, with several values during a rotation", async () => {
      const path = await start({ secret: { values: ["old-one", "new-one"], in: "path" }, dedup: false });
      expect((await post(`${path.url}/new-one`, seedXml)).status).to.equal(200);
      expect((await post(`${path.url}/old-one?x=1`, seedXml)).status).to.equal(200);
      expect((await post(`${path.url}/other`, seedXml)).status).to.equal(401);
      await served?.close();
      const query = await start({ secret: { values: "k", param: "sig" } });
      expect((await post(`${query.url}?sig=k`, seedXml)).status).to.equal(200);
      expect((await post(`${query.url}?token=k`, seedXml)).status).to.equal(401);
    });

    it("checks the secret before reading the body", async () => {
      const { url } = await start({ secret: "s3cr3t", maxBytes: 10 });
      expect((await post(url, seedXml)).status).to.equal(401);
    });
  });

  describe("duplicates (in-memory store)", () => {
    it("acknowledges a redelivery without handing it to the handler again", async () => {
      const { url, deliveries } = await start();
      const first = await post(url, seedXml);
      const again = await post(url, seedXml);
      const asJson = await post(url, seedJson);
      expect([first.json, again.json, asJson.json]).to.deep.equal([{ ok: true }, { ok: true, duplicate: true }, { ok: true, duplicate: true }]);
      expect(deliveries).to.have.length(1);
      expect((await post(url, withJobId(seedXml, "j-other"))).json).to.deep.equal({ ok: true });
      expect(deliveries).to.have.length(2);
    });

    it("releases the mark when the handler fails, so the next delivery is handled", async () => {
      let failures = 1;
      const { url, deliveries } = await start({
        handler: (callback, context) => {
          deliveries.push({ callback, context });
          if (failures-- > 0) throw new Error("first try fails");
        },
      });
      expect((await post(url, seedXml)).status).to.equal(500);
      expect((await post(url, seedXml)).json).to.deep.equal({ ok: true });
      expect((await post(url, seedXml)).json).to.deep.equal({ ok: true, duplicate: true });
      expect(deliveries).to.have.length(2);
    });

    it("makes a concurrent duplicate wait for the first delivery, then acknowledges it", async () => {
      const store = new SpyStore(new MemoryDedupStore());
      const gate = deferred();
      let calls = 0;
      const { url } = await start({
        dedup: { store },
        handler: async () => {
          calls++;
          await gate.promise;
        },
      });
      const first = post(url, seedXml);
      await store.seen("claimed", 1);
      const second = post(url, seedXml);
      await store.seen("processing", 1); // the second is waiting on the first
      gate.resolve();
      const replies = await Promise.all([first, second]);
      expect(replies.map((r) => r.json)).to.deep.equal([{ ok: true }, { ok: true, duplicate: true }]);
      expect(calls).to.equal(1);
    });

    it("lets a waiting duplicate take over when the first delivery fails", async () => {
      const store = new SpyStore(new MemoryDedupStore());
      const gate = deferred();
      let calls = 0;
      const { url } = await start({
        dedup: { store },
        handler: async () => {
          calls++;
          if (calls === 1) {
            await gate.promise;
            throw new Error("first delivery fails");
          }
        },
      });
      const first = post(url, seedXml);
      await store.seen("claimed", 1);
      const second = post(url, seedXml);
      await store.seen("processing", 1);
      gate.resolve();
      const replies = await Promise.all([first, second]);
      expect(replies.map((r) => r.status)).to.deep.equal([500, 200]);
      expect(replies[1].json).to.deep.equal({ ok: true });
      expect(calls).to.equal(2);
    });

    it("answers 503 with Retry-After when the first delivery is still running after waitMs", async () => {
      const store = new SpyStore(new MemoryDedupStore());
      const gate = deferred();
      const { url } = await start({ dedup: { store, waitMs: 0 }, handler: () => gate.promise });
      const first = post(url, seedXml);
      await store.seen("claimed", 1);
      const second = await post(url, seedXml);
      expect(second.status).to.equal(503);
      expect(second.headers["retry-after"]).to.equal("1");
      gate.resolve();
      expect((await first).status).to.equal(200);
    });

    it("hands every delivery over with dedup: false", async () => {
      const { url, deliveries } = await start({ dedup: false });
      await post(url, seedXml);
      await post(url, seedXml);
      expect(deliveries).to.have.length(2);
    });

    it("answers 500 when the store fails, without running the handler", async () => {
      const broken = {
        claim: () => Promise.reject(new Error("store down")),
        complete: () => Promise.resolve(),
        release: () => Promise.resolve(),
      };
      const { url, deliveries, errors } = await start({ dedup: { store: broken } });
      const reply = await post(url, seedXml);
      expect(reply.status).to.equal(500);
      expect((reply.json as { error: { kind: string } }).error.kind).to.equal("dedup");
      expect(deliveries).to.have.length(0);
      expect(errors.map((e) => e.context.stage)).to.deep.equal(["dedup"]);
    });
  });

  describe("handler timeout", () => {
    it("answers 500 past handlerTimeoutMs, aborts the signal, tells onError and releases the claim", async () => {
      const signals: AbortSignal[] = [];
      let calls = 0;
      const { url, errors } = await start({
        handlerTimeoutMs: 50,
        handler: (_callback, context) => {
          calls++;
          signals.push(context.signal);
          // The first delivery never settles; the redelivery finishes.
          return calls === 1 ? new Promise(() => undefined) : undefined;
        },
      });
      const first = await post(url, seedXml);
      expect(first.status).to.equal(500);
      expect((first.json as { error: { kind: string } }).error.kind).to.equal("handler-timeout");
      expect(signals[0].aborted).to.equal(true);
      expect(errors).to.have.length(1);
      expect(errors[0].context).to.deep.equal({ stage: "handler", key: seedKey });
      expect(errors[0].error).to.be.instanceOf(HandlerTimeoutError);
      // The claim was released: the redelivery is handled, not kept waiting on the first.
      expect((await post(url, seedXml)).json).to.deep.equal({ ok: true });
      expect(signals[1].aborted).to.equal(false);
      expect((await post(url, seedXml)).json).to.deep.equal({ ok: true, duplicate: true });
    });
  });

  describe("handler timeout, signal", () => {
    it("gives a handler that reads the signal only after the timeout an aborted one, the same object each read", async () => {
      const contexts: CallbackContext[] = [];
      const { url, errors } = await start({
        handlerTimeoutMs: 50,
        handler: (_callback, context) => {
          contexts.push(context);
          return new Promise(() => undefined);
        },
      });
      expect((await post(url, seedXml)).status).to.equal(500);
      const { signal } = contexts[0];
      expect(signal.aborted).to.equal(true);
      expect(signal.reason).to.equal(errors[0].error).and.be.instanceOf(HandlerTimeoutError);
      expect(contexts[0].signal).to.equal(signal);
    });

    it("times out a registered handler's promise after a handler that returned at once, and runs them in order", async () => {
      const calls: string[] = [];
      const { listener, url } = await start({
        handlerTimeoutMs: 50,
        handler: () => {
          calls.push("handler");
        },
      });
      listener
        .on("TaskFinish", () => {
          calls.push("TaskFinish");
        })
        .on("TaskFinish:VideoEnhance", () => {
          calls.push("TaskFinish:VideoEnhance");
          return new Promise(() => undefined);
        });
      const reply = await post(url, seedXml);
      expect(reply.status).to.equal(500);
      expect((reply.json as { error: { kind: string } }).error.kind).to.equal("handler-timeout");
      expect(calls).to.deep.equal(["handler", "TaskFinish", "TaskFinish:VideoEnhance"]);
    });

    it("answers 500 when a registered handler throws after others returned at once, and leaves the signal unaborted on success", async () => {
      const contexts: CallbackContext[] = [];
      let fail = true;
      const { listener, url, errors } = await start({
        handler: (_callback, context) => {
          contexts.push(context);
        },
      });
      listener.on("TaskFinish", () => {
        if (fail) throw new Error("boom");
      });
      expect((await post(url, seedXml)).status).to.equal(500);
      expect(errors.map((e) => e.context.stage)).to.deep.equal(["handler"]);
      fail = false;
      expect((await post(url, seedXml)).json).to.deep.equal({ ok: true });
      expect(contexts[1].signal.aborted).to.equal(false);
    });
  });

  describe("Content-Encoding", () => {
    const gzipped = gzipSync(Buffer.from(seedXml));
    const sendEncoded = (url: string, body: Buffer | string, encoding: string) =>
      send(url, { headers: { "content-encoding": encoding, "content-length": Buffer.byteLength(body) }, chunks: [body] });

    it("decodes gzip, deflate, br, a list of two codings and identity", async () => {
      const { url, deliveries } = await start({ dedup: false });
      const replies = await Promise.all([
        sendEncoded(url, gzipped, "gzip"),
        sendEncoded(url, gzipped, "x-gzip"),
        sendEncoded(url, deflateSync(Buffer.from(seedXml)), "deflate"),
        sendEncoded(url, brotliCompressSync(Buffer.from(seedXml)), "br"),
        sendEncoded(url, brotliCompressSync(gzipped), "gzip, br"),
        sendEncoded(url, seedXml, "identity"),
      ]);
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200, 200]);
      expect(deliveries).to.have.length(6);
      expect(deliveries.map((d) => Buffer.from(d.context.rawBody).toString("utf8"))).to.deep.equal(Array(6).fill(seedXml));
    });

    it("refuses a zip bomb with 413, counting the decoded bytes against maxBytes", async () => {
      const { url, deliveries } = await start({ dedup: false, maxBytes: 64 * 1024 });
      // About 64 KB of gzip that inflates to 64 MiB, or would: zlib stops at the limit.
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
      expect(bomb.length).to.be.below(80 * 1024);
      const reply = await sendEncoded(url, bomb, "gzip");
      expect(reply.status).to.equal(413);
      expect((reply.json as { error: { message: string } }).error.message).to.equal(
        "body is over the limit of 65536 bytes once decoded (Content-Encoding gzip)",
      );
      expect(deliveries).to.have.length(0);
    });

    it("answers 400 to a plain body labelled gzip and 415 to an encoding it does not know", async () => {
      const { url, deliveries } = await start({ dedup: false });
      const plain = await sendEncoded(url, seedXml, "gzip");
      expect(plain.status).to.equal(400);
      expect((plain.json as { error: { kind: string } }).error.kind).to.equal("encoding");
      for (const encoding of ["zstd", "compress", "gzip, gzip, gzip"]) {
        expect((await sendEncoded(url, gzipped, encoding)).status, encoding).to.equal(415);
      }
      expect(deliveries).to.have.length(0);
    });
  });

  describe("options", () => {
    it("are checked when the listener is made: NaN, negative, fractional, absurd or mistyped values throw", () => {
      const bad: [CallbackListenerOptions, ErrorConstructor][] = [
        [{ maxBytes: Number.NaN }, RangeError],
        [{ maxBytes: -1 }, RangeError],
        [{ maxBytes: 2 ** 40 }, RangeError],
        [{ maxDepth: Number.NaN }, RangeError],
        [{ maxDepth: 1.5 }, RangeError],
        [{ maxDepth: 1001 }, RangeError],
        [{ bodyTimeoutMs: 0 }, RangeError],
        [{ bodyTimeoutMs: 2 ** 31 }, RangeError],
        [{ handlerTimeoutMs: Number.POSITIVE_INFINITY }, RangeError],
        [{ dedup: { ttlMs: Number.NaN } }, RangeError],
        [{ dedup: { waitMs: -5 } }, RangeError],
        [{ handlerTimeoutMs: 60_000, dedup: { processingTtlMs: 30_000 } }, RangeError],
        [{ maxBytes: "1048576" as unknown as number }, TypeError],
      ];
      for (const [options, type] of bad) expect(() => createCallbackListener(options), JSON.stringify(options)).to.throw(type);
      expect(() => createCallbackListener({ secret: false, maxBytes: 4 * 1024 * 1024, maxDepth: 1000, handlerTimeoutMs: 1000 })).to.not.throw();
    });
  });
});
