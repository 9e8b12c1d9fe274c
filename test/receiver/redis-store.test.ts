import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Redis } from "ioredis";
import {
  RedisDedupStore,
  createCallbackListener,
  type CallbackListener,
  type DedupStore,
  type RedisDedupClient,
} from "../../src";
import { deferred } from "../support/deferred";
import { exampleText } from "../support/examples";
import { type TestRedis, startTestRedis } from "../support/redis";
import { post, serve, type Reply, type Served } from "../support/http";
import { ClaimLog, SpyStore } from "./spy-store";

const seedXml = exampleText("VideoEnhance/seed-2.xml");

/** A client every one of whose claims (SET NX) is sent twice, as a client does whose first reply was lost. */
function lossyAgain(client: Redis): RedisDedupClient {
  return {
    set: async (key: string, value: string, px: "PX", ms: number, nx?: "NX") => {
      if (nx === undefined) return client.set(key, value, px, ms);
      await client.set(key, value, px, ms, nx);
      return client.set(key, value, px, ms, nx);
    },
    get: (key) => client.get(key),
    del: (key) => client.del(key),
  };
}

describe("receiver: the Redis dedup store (real redis-server)", () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  /** A client that fails at once, instead of retrying, when Redis goes away. */
  async function connect(): Promise<Redis> {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    await client.connect();
    return client;
  }

  const clients: Redis[] = [];
  const servers: Served[] = [];
  let prefix: string;

  beforeEach(() => {
    prefix = `ci-callback-test:${randomUUID()}:`;
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    const [first] = clients;
    if (first !== undefined) {
      const keys = await first.keys(`${prefix}*`);
      if (keys.length > 0) await first.del(...keys);
    }
    await Promise.all(clients.splice(0).map((c) => c.quit()));
  });

  /** A receiver instance: its own Redis client and server, sharing the key prefix with its siblings. */
  async function instance(handler: () => unknown, log: ClaimLog): Promise<{ url: string; listener: CallbackListener }> {
    const client = await connect();
    clients.push(client);
    const store: DedupStore = new SpyStore(new RedisDedupStore(client, { prefix }), log);
    const listener = createCallbackListener({ secret: false, handler, dedup: { store }, onError: () => undefined });
    const served = await serve(listener);
    servers.push(served);
    return { url: `${served.origin}/ci/callback`, listener };
  }

  it("claims atomically with SET NX PX, marks done, and releases only its own claim", async () => {
    const client = await connect();
    clients.push(client);
    const store = new RedisDedupStore(client, { prefix });
    expect(await store.claim("k", "t1", 60_000)).to.equal("claimed");
    expect(await client.get(`${prefix}k`)).to.equal("processing:t1");
    expect(await client.pttl(`${prefix}k`)).to.be.within(1, 60_000);
    expect(await store.claim("k", "t2", 60_000)).to.equal("processing");
    await store.release("k", "t2");
    expect(await store.claim("k", "t3", 60_000)).to.equal("processing");
    await store.release("k", "t1");
    expect(await client.exists(`${prefix}k`)).to.equal(0);
    expect(await store.claim("k", "t4", 60_000)).to.equal("claimed");
    await store.complete("k", "t4", 120_000);
    expect(await store.claim("k", "t5", 60_000)).to.equal("done");
    expect(await client.pttl(`${prefix}k`)).to.be.above(60_000);
  });

  it("recognises its own claim when the reply to SET NX was lost and the client sent it again", async () => {
    const client = await connect();
    clients.push(client);
    const store = new RedisDedupStore(lossyAgain(client), { prefix });
    expect(await store.claim("k", "t1", 60_000)).to.equal("claimed");
    expect(await client.get(`${prefix}k`)).to.equal("processing:t1");
    // Another delivery's claim, sent twice too, is still not taken for its own.
    expect(await store.claim("k", "t2", 60_000)).to.equal("processing");
    // So the listener handles that delivery at once, rather than wait on its own claim until a 503.
    let calls = 0;
    const listener = createCallbackListener({
      secret: false,
      handler: () => {
        calls++;
      },
      dedup: { store: new RedisDedupStore(lossyAgain(client), { prefix }), waitMs: 0 },
      onError: () => undefined,
    });
    const served = await serve(listener);
    servers.push(served);
    expect((await post(`${served.origin}/`, seedXml)).json).to.deep.equal({ ok: true });
    expect(calls).to.equal(1);
  });

  it("hands a delivery to exactly one handler when two instances get it at the same moment", async () => {
    const log = new ClaimLog();
    const gate = deferred();
    let calls = 0;
    const handler = async (): Promise<void> => {
      calls++;
      await gate.promise;
    };
    const a = await instance(handler, log);
    const b = await instance(handler, log);
    // Twenty deliveries of one event, alternating between the instances, all in flight together.
    const deliveries = 20;
    const replies: Promise<Reply>[] = [];
    for (let i = 0; i < deliveries; i++) replies.push(post(i % 2 === 0 ? a.url : b.url, seedXml));
    await log.seen("claimed", 1);
    await log.seen("processing", deliveries - 1); // every other delivery found the claim and waits
    gate.resolve();
    const answered = await Promise.all(replies);
    expect(answered.map((r) => r.status)).to.deep.equal(Array(deliveries).fill(200));
    expect(answered.filter((r) => (r.json as { duplicate?: boolean }).duplicate === true)).to.have.length(deliveries - 1);
    expect(calls).to.equal(1);
    // A later redelivery, to either instance, is a plain duplicate.
    expect((await post(b.url, seedXml)).json).to.deep.equal({ ok: true, duplicate: true });
    expect(calls).to.equal(1);
  });

  it("releases the mark when a handler fails, so the redelivery to another instance is handled", async () => {
    const log = new ClaimLog();
    let calls = 0;
    const a = await instance(() => {
      calls++;
      throw new Error("instance a fails");
    }, log);
    const b = await instance(() => {
      calls++;
    }, log);
    expect((await post(a.url, seedXml)).status).to.equal(500);
    expect((await post(b.url, seedXml)).json).to.deep.equal({ ok: true });
    expect((await post(a.url, seedXml)).json).to.deep.equal({ ok: true, duplicate: true });
    expect(calls).to.equal(2);
  });

  it("takes over on the other instance when the delivery it waited on fails", async () => {
    const log = new ClaimLog();
    const gate = deferred();
    let calls = 0;
    const a = await instance(async () => {
      calls++;
      await gate.promise;
      throw new Error("instance a fails late");
    }, log);
    const b = await instance(() => {
      calls++;
    }, log);
    const first = post(a.url, seedXml);
    await log.seen("claimed", 1);
    const second = post(b.url, seedXml);
    await log.seen("processing", 1);
    gate.resolve();
    expect((await first).status).to.equal(500);
    expect((await second).json).to.deep.equal({ ok: true });
    expect(calls).to.equal(2);
  });
});
