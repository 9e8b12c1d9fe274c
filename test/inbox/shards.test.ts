import { expect } from "chai";
import { createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker } from "../../src/inbox";
import { shardOfKey, shardQueueNames } from "../../src/inbox/shards";
import { eventBody, postOf, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

describe("inbox shards: queue names, hash tags and the shard of a key", function () {
  this.timeout(60_000);

  it("keeps one queue on a single Redis as it was, tags it on a cluster, and refuses braces that would undo the tags", () => {
    expect(shardQueueNames("callbacks", 1, { clustered: false, prefix: undefined })).to.deep.equal(["callbacks"]);
    expect(shardQueueNames("callbacks", 1, { clustered: true, prefix: "bull" })).to.deep.equal(["{callbacks}"]);
    // Sharded, the names are the same whatever the connection, so a worker or the CLI finds them alike.
    expect(shardQueueNames("callbacks", 4, { clustered: false, prefix: undefined })).to.deep.equal(shardQueueNames("callbacks", 4, { clustered: true, prefix: undefined }));
    expect(() => shardQueueNames("{callbacks}", 4, { clustered: false, prefix: undefined })).to.throw(TypeError, /^queueName must hold no "\{"/);
    expect(() => shardQueueNames("callbacks", 1, { clustered: true, prefix: "{app}" })).to.throw(TypeError, /^prefix must hold no "\{"/);
    // A brace is fine where no tag is needed (one queue on a single Redis), as before.
    expect(shardQueueNames("{callbacks}", 1, { clustered: false, prefix: "{app}" })).to.deep.equal(["{callbacks}"]);
  });

  it("refuses a shard count out of 1..256, for the inbox and the worker, before connecting", () => {
    for (const shards of [0, 257, 1.5]) {
      expect(() => createCallbackInbox({ connection: "redis://127.0.0.1:1", queueName: "q", shards }), String(shards)).to.throw(RangeError, /^shards /);
      expect(() => createCallbackWorker({ connection: "redis://127.0.0.1:1", queueName: "q", shards }), String(shards)).to.throw(RangeError, /^shards /);
    }
  });

  it("sends a key to the same shard every time, spreads keys evenly, and turns keyless callbacks round", () => {
    const tally = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) {
      const key = `TaskFinish:${i.toString(16).padStart(64, "0")}`;
      const shard = shardOfKey(key, 4, 0);
      expect(shardOfKey(key, 4, 99)).to.equal(shard);
      tally[shard]! += 1;
    }
    for (const count of tally) expect(count).to.be.within(1600, 2400);
    expect([0, 1, 2, 3, 4].map((spread) => shardOfKey(undefined, 4, spread))).to.deep.equal([0, 1, 2, 3, 0]);
    expect(shardOfKey("TaskFinish:abc", 1, 7)).to.equal(0);
  });

  describe("on a single Redis (real redis-server)", () => {
    const suite = useInboxSuite();

    it("spreads callbacks over 3 shards, one worker handles every shard, and a redelivery after handling is a duplicate", async () => {
      const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, shards: 3, maxWaiting: 300 });
      suite.closeAfter(() => inbox.close());
      const listener = createCallbackListener({ inbox, secret: false });
      const jobIds = Array.from({ length: 30 }, (_, i) => `j-shard-${i}`);
      for (const jobId of jobIds) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
      const waiting = await inbox.stats();
      expect(waiting.queues.map((queue) => queue.queueName)).to.deep.equal(shardQueueNames(suite.queueName, 3, { clustered: false, prefix: undefined }));
      expect(waiting.queues.every((queue) => queue.waiting > 0)).to.equal(true);
      expect(waiting.total.waiting).to.equal(30);
      // maxWaiting is the inbox's, shared out among the shards.
      expect(waiting.queues.map((queue) => queue.bounds.maxWaiting)).to.deep.equal([100, 100, 100]);

      const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, shards: 3, concurrency: 2 });
      suite.closeAfter(() => worker.close());
      const handled = recordHandled(worker);
      await waitFor("every callback to be handled", async () => (await inbox.stats()).total.handled === 30);
      expect([...handled].sort()).to.deep.equal([...jobIds].sort());
      // Redeliveries reach the shard that holds their dedup mark: acknowledged, stored nowhere.
      for (const jobId of jobIds.slice(0, 10)) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
      expect((await inbox.stats()).total).to.include({ waiting: 0, active: 0, handled: 30 });
      await worker.close();
      expect(handled).to.have.length(30);
    });
  });
});
