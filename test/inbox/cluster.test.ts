import { expect } from "chai";
import { Redis } from "ioredis";
import { createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker, type BullMQCallbackInbox, type CallbackWorker } from "../../src/inbox";
import { shardQueueNames } from "../../src/inbox/shards";
import { ensureBuilt } from "../support/built";
import { post, serve, type Served } from "../support/http";
import { cli, eventBody, freshQueueName, postOf, recordHandled, waitFor } from "../support/inbox";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster";

describe("inbox on a real Redis Cluster (3 masters on loopback, started and stopped here)", function () {
  this.timeout(180_000);
  let cluster: RedisCluster;
  const closers: (() => Promise<unknown>)[] = [];
  before(async () => {
    ensureBuilt();
    cluster = await startRedisCluster({ masters: 3 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  after(async () => {
    await cluster?.remove();
  });

  it("puts each shard's keys on one slot, the shards on slots spread evenly over the range, and 4 shards on all 3 masters", async () => {
    const client = new Redis(cluster.nodes[0]!);
    closers.push(() => client.quit());
    const names = shardQueueNames("callbacks", 4, { clustered: true, prefix: undefined });
    const slotOwner = new Map<number, number>();
    for (const [start, end, master] of await client.cluster("SLOTS")) {
      for (let slot = start; slot <= end; slot++) slotOwner.set(slot, master?.[1] ?? -1);
    }
    const slots: number[] = [];
    for (const [shard, name] of names.entries()) {
      // Keys as BullMQ names them: the queue's lists and hashes and a job's hash, all on one slot.
      const keys = ["wait", "active", "meta", "events", "completed", "failed", "TaskFinish%3Aabc"].map((part) => `bull:${name}:${part}`);
      const keySlots = await Promise.all(keys.map((key) => client.cluster("KEYSLOT", key)));
      expect(new Set(keySlots).size, name).to.equal(1);
      const slot = keySlots[0]!;
      // Near the centre of the shard's quarter of the slots.
      expect(slot).to.be.within(((shard + 0.5) * 16384) / 4 - 8, ((shard + 0.5) * 16384) / 4 + 8);
      slots.push(slot);
    }
    expect(new Set(slots).size).to.equal(4);
    const masters = new Set(slots.map((slot) => slotOwner.get(slot)));
    expect([...masters].sort()).to.deep.equal(cluster.nodes.map((node) => node.port).sort());
  });

  it("keeps one queue (no shards) under the hash tag of its name: stored, handled once, a redelivery after handling a duplicate", async () => {
    const connection = { cluster: cluster.nodes };
    const queueName = freshQueueName();
    const inbox = createCallbackInbox({ connection, queueName });
    closers.push(() => inbox.close());
    const listener = createCallbackListener({ inbox, secret: false });
    const jobIds = Array.from({ length: 6 }, (_, i) => `j-one-${i}`);
    for (const jobId of jobIds) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    expect((await inbox.stats()).queues.map((queue) => [queue.queueName, queue.waiting])).to.deep.equal([[`{${queueName}}`, 6]]);
    const worker = createCallbackWorker({ connection, queueName, concurrency: 2 });
    closers.push(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("every callback to be handled", async () => (await inbox.stats()).total.handled === 6);
    for (const jobId of jobIds.slice(0, 3)) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    expect((await inbox.stats()).total).to.include({ waiting: 0, active: 0, handled: 6 });
    expect([...handled].sort()).to.deep.equal(jobIds);
    // Every key of the queue on the one slot of its tag.
    const client = new Redis(cluster.nodes[0]!);
    closers.push(() => client.quit());
    const expected = await client.cluster("KEYSLOT", `{${queueName}}`);
    let keys = 0;
    for (const node of cluster.nodes) {
      const nodeClient = new Redis(node);
      closers.push(() => nodeClient.quit());
      for (const key of await nodeClient.keys(`*${queueName}*`)) {
        keys++;
        expect(await client.cluster("KEYSLOT", key), key).to.equal(expected);
      }
    }
    expect(keys).to.be.greaterThan(6);
  });

  it("4 shards, two listeners, two workers, a master restarted mid-run: every acknowledged callback handled once", async function () {
    const connection = { cluster: cluster.nodes };
    const queueName = freshQueueName();
    const inboxes: BullMQCallbackInbox[] = [];
    const served: Served[] = [];
    for (let i = 0; i < 2; i++) {
      const inbox = createCallbackInbox({ connection, queueName, shards: 4, timeoutMs: 1000, onError: () => undefined });
      closers.push(() => inbox.close());
      inboxes.push(inbox);
      const server = await serve(createCallbackListener({ inbox, secret: false, onError: () => undefined }));
      closers.push(() => server.close());
      served.push(server);
    }
    const handled = new Map<string, number>();
    const workers: CallbackWorker[] = [];
    for (let i = 0; i < 2; i++) {
      // Locks longer than the restart, checked often: a job whose completion the restart lost would come back (twice) soon.
      const worker = createCallbackWorker({ connection, queueName, shards: 4, concurrency: 4, lockDurationMs: 10_000, stalledIntervalMs: 1000, onError: () => undefined });
      closers.push(() => worker.close());
      worker.on("TaskFinish", (callback) => {
        if (callback.EventName !== "TaskFinish") return;
        const jobId = callback.JobsDetail[0].JobId;
        handled.set(jobId, (handled.get(jobId) ?? 0) + 1);
      });
      workers.push(worker);
    }
    await Promise.all(workers.map((worker) => worker.ready()));

    // Four senders post distinct events, each to one listener and every fifth to both (a redelivery through
    // the other receiver), while the test stops a master and starts it again.
    const answers = new Map<string, number[]>();
    const acknowledged = () => [...answers.values()].filter((statuses) => statuses.includes(200)).length;
    let sending = true;
    const senders = [0, 1, 2, 3].map(async (sender) => {
      for (let i = 0; sending && i < 5000; i++) {
        const jobId = `j-cluster-${sender}-${i}`;
        const body = eventBody(jobId);
        const targets = i % 5 === 0 ? served : [served[(sender + i) % 2]!];
        const statuses = await Promise.all(targets.map(async (target) => (await post(target.origin, body)).status));
        answers.set(jobId, statuses);
      }
    });
    let refusedDuringRestart = 0;
    let downMs = 0;
    try {
      await waitFor("100 acknowledgements", () => acknowledged() >= 100, 60_000);
      const before = answers.size;
      const stoppedAt = Date.now();
      await cluster.stop(1);
      // Down long enough for the others to mark it failed: then every master refuses (full coverage is required).
      await waitFor("the cluster to mark the stopped master failed", async () => (await cluster.state(0)) === "fail", 60_000);
      await waitFor("20 answers while the master is down", () => answers.size >= before + 20, 60_000);
      await cluster.start(1);
      downMs = Date.now() - stoppedAt;
      const back = answers.size;
      refusedDuringRestart = [...answers.values()].slice(before).filter((statuses) => !statuses.includes(200)).length;
      await waitFor("100 acknowledgements after the restart", () => [...answers.values()].slice(back).filter((s) => s.includes(200)).length >= 100, 60_000);
    } finally {
      sending = false;
      await Promise.all(senders);
    }

    const acked = [...answers.entries()].filter(([, statuses]) => statuses.includes(200)).map(([jobId]) => jobId);
    for (const statuses of answers.values()) for (const status of statuses) expect([200, 503]).to.include(status);
    await waitFor("every acknowledged callback to be handled and the shards to drain", async () => {
      if (!acked.every((jobId) => handled.has(jobId))) return false;
      const { total } = await inboxes[0]!.stats();
      return total.waiting === 0 && total.active === 0 && total.delayed === 0;
    }, 60_000);
    const stats = await inboxes[0]!.stats();
    const lost = acked.filter((jobId) => !handled.has(jobId));
    const doubled = [...handled.entries()].filter(([, times]) => times > 1).map(([jobId]) => jobId);
    expect(lost).to.deep.equal([]);
    expect(doubled).to.deep.equal([]);
    // What was handled was sent; refused deliveries may have been stored too (their reply lost), never the reverse.
    for (const jobId of handled.keys()) expect(answers.has(jobId)).to.equal(true);
    expect(stats.total.failed).to.equal(0);
    expect(stats.queues).to.have.length(4);
    expect(stats.queues.every((queue) => queue.handled > 0)).to.equal(true);
    // The run went through an outage: deliveries were refused while the master was away.
    expect(refusedDuringRestart).to.be.greaterThan(0);
    // Handled but never acknowledged: answered 503 (no confirmation within timeoutMs), yet the add landed.
    const storedThough503 = handled.size - acked.length;
    this.test!.title +=
      ` (acknowledged ${acked.length}, handled ${handled.size}, lost ${lost.length}, doubled ${doubled.length}; ` +
      `${answers.size - acked.length} of ${answers.size} events refused with 503, ${refusedDuringRestart} around the restart, ` +
      `${storedThough503} of them stored anyway and handled; a master away ${downMs} ms)`;

    // Each shard's keys lie on one slot, and the four shards use all three masters.
    const mastersOfShards = new Set<number>();
    const slotsOfShards = new Map<string, Set<number>>();
    for (const node of cluster.nodes) {
      const client = new Redis(node);
      try {
        const keys = await client.keys(`*${queueName}*`);
        if (keys.length > 0) mastersOfShards.add(node.port);
        for (const key of keys) {
          const tag = /\{([^}]*)\}/.exec(key)?.[1] ?? "";
          const slots = slotsOfShards.get(tag) ?? new Set<number>();
          slots.add(await client.cluster("KEYSLOT", key));
          slotsOfShards.set(tag, slots);
        }
      } finally {
        await client.quit();
      }
    }
    expect(slotsOfShards.size).to.equal(4);
    for (const slots of slotsOfShards.values()) expect(slots.size).to.equal(1);
    expect(mastersOfShards.size).to.equal(3);
  });

  it("ci-callback inbox status, failed and retry with --cluster and --shards cover every shard", async () => {
    const connection = { cluster: cluster.nodes };
    const queueName = freshQueueName();
    const inbox = createCallbackInbox({ connection, queueName, shards: 4 });
    closers.push(() => inbox.close());
    const listener = createCallbackListener({ inbox, secret: false });
    const jobIds = Array.from({ length: 12 }, (_, i) => `j-cli-${i}`);
    for (const jobId of jobIds) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    const failing = createCallbackWorker({ connection, queueName, shards: 4, attempts: 1, onError: () => undefined, onFailed: () => undefined });
    closers.push(() => failing.close());
    failing.on("TaskFinish", () => {
      throw new Error("the payments API answered 502");
    });
    await waitFor("every job to fail", async () => (await inbox.stats()).total.failed === 12);
    await failing.close();

    const where = ["--cluster", cluster.nodes.map((node) => `${node.host}:${node.port}`).join(","), "--queue", queueName, "--shards", "4"];
    const json = await cli(["inbox", "status", ...where, "--json"]);
    expect(json.status, json.stderr).to.equal(0);
    const stats = JSON.parse(json.stdout) as { total: { failed: number; waiting: number }; queues: { queueName: string; failed: number }[] };
    expect(stats.total).to.include({ failed: 12, waiting: 0 });
    expect(stats.queues.map((queue) => queue.queueName)).to.deep.equal((await inbox.stats()).queues.map((queue) => queue.queueName));
    expect(stats.queues.filter((queue) => queue.failed > 0).length).to.be.greaterThan(1);
    const text = await cli(["inbox", "status", ...where]);
    expect(text.stdout).to.match(/^\s+total\s+shard 0\s+shard 1\s+shard 2\s+shard 3$/m).and.to.match(new RegExp(`^failed\\s+12\\s+${stats.queues.map((q) => q.failed).join("\\s+")}$`, "m"));

    const listed = await cli(["inbox", "failed", ...where]);
    expect(listed.status, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(/^12 failed\n/);
    for (const jobId of jobIds) expect(listed.stdout).to.match(new RegExp(`^shard [0-3]  \\S+  TaskFinish Transcode ${jobId} \\(key `, "m"));
    const retried = await cli(["inbox", "retry", ...where]);
    expect(retried.status, retried.stderr).to.equal(0);
    expect(retried.stdout).to.equal("re-queued 12 failed jobs\n");

    const worker = createCallbackWorker({ connection, queueName, shards: 4, concurrency: 2 });
    closers.push(() => worker.close());
    const handled = recordHandled(worker);
    await waitFor("the re-queued jobs to be handled", () => handled.length === 12);
    expect([...handled].sort()).to.deep.equal([...jobIds].sort());
    await waitFor("the shards to drain", async () => (await inbox.stats()).total.handled === 12);
    expect((await inbox.stats()).total).to.include({ failed: 0, waiting: 0, active: 0 });

    // Another shard count names other queues: never used, as a mistyped --queue is.
    const mistyped = await cli(["inbox", "status", ...where.slice(0, -1), "2"]);
    expect(mistyped.status).to.equal(1);
    expect(mistyped.stderr).to.include(`(2 shards) (prefix "bull") at the cluster of ${where[1]} has never been used`);
  });
});
