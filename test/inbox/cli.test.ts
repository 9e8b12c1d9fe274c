import { expect } from "chai";
import { createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker } from "../../src/inbox";
import { DEFAULT_PREFIX, queueKeys } from "../../src/inbox/connection";
import { ensureBuilt } from "../support/built";
import { cli, eventBody, inspect, keyOf, postOf, useInboxSuite, waitFor } from "../support/inbox";

describe("inbox: `ci-callback inbox` status, escaping and unreadable jobs (real redis-server)", function () {
  this.timeout(60_000);
  before(ensureBuilt);
  const suite = useInboxSuite();
  const where = () => ["--redis", suite.redis.url, "--queue", suite.queueName];

  /** Stores `bodies` and fails each once for good, with `reason` as the handler's error. */
  async function failAll(bodies: string[], reason: string): Promise<void> {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => inbox.close());
    const listener = createCallbackListener({ inbox, secret: false });
    for (const body of bodies) expect((await listener.handle(postOf(body))).status).to.equal(200);
    let failed = 0;
    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, attempts: 1, onError: () => undefined, onFailed: () => void failed++ });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish", () => {
      throw new Error(reason);
    });
    await waitFor("the jobs to fail", () => failed === bodies.length);
    await worker.close();
  }

  it("says a queue was never used, and exits 1, instead of showing zeros", async () => {
    for (const action of ["status", "failed", "retry"]) {
      const result = await cli(["inbox", action, ...where()]);
      expect(result.status, result.stderr).to.equal(1);
      expect(result.stdout).to.equal("");
      expect(result.stderr).to.include(`queue "${suite.queueName}" (prefix "bull")`).and.include("has never been used");
    }
  });

  it("`status --json` gives the counts, oldest wait and bytes per queue and in total", async () => {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName, maxFailed: 7 });
    suite.closeAfter(() => inbox.close());
    const body = eventBody("j-status");
    expect((await createCallbackListener({ inbox, secret: false }).handle(postOf(body))).status).to.equal(200);
    const result = await cli(["inbox", "status", "--json", ...where()]);
    expect(result.status, result.stderr).to.equal(0);
    const stats = JSON.parse(result.stdout) as { total: Record<string, unknown>; queues: Record<string, unknown>[] };
    expect(stats.total).to.include({ waiting: 1, active: 0, delayed: 0, failed: 0, handled: 0, waitingBytes: 2 * Buffer.byteLength(body), failedBytes: 0 });
    expect(stats.total.oldestWaitingMs).to.be.a("number");
    expect(stats.queues).to.have.length(1);
    expect(stats.queues[0]).to.include({ queueName: suite.queueName, used: true, waiting: 1 });
    expect(stats.queues[0]?.bounds).to.include({ maxFailed: 7 });
    const text = await cli(["inbox", "status", ...where()]);
    expect(text.stdout).to.match(/^waiting\s+1$/m).and.match(/^oldest waiting\s+\d+ ms$/m).and.match(/^maxFailed\s+7$/m);
  });

  it("`failed` names the event beside the key and escapes every field: a Tag or an error cannot forge a line or reach the terminal", async () => {
    const body = eventBody("j-escape").replace('"Tag": "Transcode"', '"Tag": "Transcode\\n0 failed\\u009b2J"');
    await failAll([body], "boom\u001b[31m\nre-queued 0 failed jobs");
    const listed = await cli(["inbox", "failed", ...where()]);
    expect(listed.status, listed.stderr).to.equal(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal("1 failed");
    expect(lines[1]).to.include(`TaskFinish Transcode\\n0 failed\\u009b2J j-escape (key ${keyOf(body)})`);
    expect(lines[1]).to.match(/  boom\\u001b\[31m\\nre-queued 0 failed jobs$/);
    expect(listed.stdout).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("lists a job whose data cannot be read as such, and `retry` leaves it and re-queues the others", async () => {
    await failAll([eventBody("j-readable")], "no database");
    // A job written by something else: its data is not JSON.
    const keys = queueKeys(DEFAULT_PREFIX, suite.queueName);
    const inspected = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => inspected.close());
    await inspected.client.hset(`${keys.base}odd`, { name: "odd\njob", data: "{not json", atm: "3", finishedOn: "0", failedReason: "?" });
    await inspected.client.zadd(keys.failed, 0, "odd");
    const listed = await cli(["inbox", "failed", ...where()]);
    expect(listed.status, listed.stderr).to.equal(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).to.equal("2 failed");
    expect(lines[1]).to.equal("odd  (data unreadable; job name odd\\njob)  attempts 3  1970-01-01T00:00:00.000Z  ?");
    expect(lines[2]).to.include("TaskFinish Transcode j-readable");
    const retried = await cli(["inbox", "retry", ...where()]);
    expect(retried.status, retried.stderr).to.equal(0);
    expect(retried.stdout).to.equal("odd: data unreadable, left as failed\nre-queued 1 failed job\n");
  });
});
