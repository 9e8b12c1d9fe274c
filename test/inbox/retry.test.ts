import { expect } from "chai";
import { createCallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker, type WorkerErrorContext } from "../../src/inbox";
import { ensureBuilt } from "../support/built";
import { cli, counts, eventBody, inspect, keyOf, postOf, recordHandled, useInboxSuite, waitFor } from "../support/inbox";
import { freePort } from "../support/redis";

describe("inbox: retries, the dead letter and the inbox command (real redis-server)", function () {
  // Waits end on events (a job state, a child's exit); this bound is for a hang on a loaded machine.
  this.timeout(300_000);
  before(ensureBuilt);
  const suite = useInboxSuite();

  function listenerWithInbox() {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => inbox.close());
    return createCallbackListener({ inbox, secret: false });
  }

  it("acknowledges before any handler runs, and handles once an event whose handler fails twice then succeeds", async () => {
    const body = eventBody("j-flaky");
    // No worker yet: the 200 cannot have waited for a handler.
    const reply = await listenerWithInbox().handle(postOf(body));
    expect(reply.status).to.equal(200);
    expect(JSON.parse(reply.body)).to.deep.equal({ ok: true });
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    expect(await counts(queue)).to.include({ waiting: 1, handled: 0 });

    const tries: string[] = [];
    const handled: string[] = [];
    const errors: WorkerErrorContext[] = [];
    const worker = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      attempts: 5,
      backoff: { type: "fixed", delayMs: 20 },
      onError: (_error, context) => errors.push(context),
      onFailed: () => expect.fail("the job must not fail for good"),
    });
    suite.closeAfter(() => worker.close());
    worker.on("TaskFinish:Transcode", (callback) => {
      tries.push(callback.JobsDetail[0].JobId);
      if (tries.length < 3) throw new Error(`database unavailable (${tries.length})`);
      handled.push(callback.JobsDetail[0].JobId);
    });
    await waitFor("the job to complete", async () => (await counts(queue)).handled === 1);
    expect(tries).to.deep.equal(["j-flaky", "j-flaky", "j-flaky"]);
    expect(handled).to.deep.equal(["j-flaky"]);
    expect(errors.map((e) => [e.stage, e.attempt, e.key])).to.deep.equal([
      ["handler", 1, keyOf(body)],
      ["handler", 2, keyOf(body)],
    ]);
    expect(await counts(queue)).to.include({ waiting: 0, delayed: 0, active: 0, failed: 0, handled: 1 });
  });

  it("keeps an event whose attempts are exhausted as failed, reports it, and `inbox retry` re-queues it", async () => {
    const body = eventBody("j-dead-letter");
    expect((await listenerWithInbox().handle(postOf(body))).status).to.equal(200);
    const failures: { message: string; key: string | undefined; attempts: number }[] = [];
    const failing = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      attempts: 2,
      backoff: { type: "exponential", delayMs: 10 },
      onError: () => undefined,
      onFailed: (error, context) => failures.push({ message: error.message, key: context.key, attempts: context.attempts }),
    });
    suite.closeAfter(() => failing.close());
    let tries = 0;
    failing.on("TaskFinish", () => {
      tries++;
      throw new Error("the payments API answered 502");
    });
    await waitFor("the job to fail for good", () => failures.length === 1);
    await failing.close();
    expect(tries).to.equal(2);
    expect(failures).to.deep.equal([{ message: "the payments API answered 502", key: keyOf(body), attempts: 2 }]);

    const where = ["--redis", suite.redis.url, "--queue", suite.queueName];
    const status = await cli(["inbox", "status", ...where]);
    expect(status.status, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/^failed\s+1$/m).and.to.match(/^handled\s+0$/m).and.to.match(/^waiting\s+0$/m);
    const listed = await cli(["inbox", "failed", ...where]);
    expect(listed.status, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(/^1 failed\n/);
    // The row names the event beside its key; the body itself is not printed.
    expect(listed.stdout).to.include(`TaskFinish Transcode j-dead-letter (key ${keyOf(body)})`).and.include("attempts 2").and.include("the payments API answered 502");
    expect(listed.stdout).not.to.include("JobsDetail");
    const retried = await cli(["inbox", "retry", ...where]);
    expect(retried.status, retried.stderr).to.equal(0);
    expect(retried.stdout).to.equal("re-queued 1 failed job\n");

    const worker = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, attempts: 2 });
    suite.closeAfter(() => worker.close());
    const handled = recordHandled(worker);
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    await waitFor("the re-queued job to complete", async () => (await counts(queue)).handled === 1);
    expect(handled).to.deep.equal(["j-dead-letter"]);
    expect((await cli(["inbox", "status", ...where])).stdout).to.match(/^failed\s+0$/m).and.to.match(/^handled\s+1$/m);
  });

  it("`inbox failed` and `inbox retry` with --limit take the oldest failed jobs first", async () => {
    const listener = listenerWithInbox();
    for (const jobId of ["j-first", "j-second", "j-third"]) expect((await listener.handle(postOf(eventBody(jobId)))).status).to.equal(200);
    let failedCount = 0;
    const failing = createCallbackWorker({
      connection: suite.redis.url,
      queueName: suite.queueName,
      attempts: 1,
      onError: () => undefined,
      onFailed: () => void failedCount++,
    });
    suite.closeAfter(() => failing.close());
    failing.on("TaskFinish:Transcode", async (callback) => {
      // Apart by a few ms, so that the failures are ordered in time.
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error(`no ${callback.JobsDetail[0].JobId.slice(2)} today`);
    });
    await waitFor("three failed jobs", () => failedCount === 3);
    await failing.close();
    const where = ["--redis", suite.redis.url, "--queue", suite.queueName, "--limit", "2"];
    const listed = await cli(["inbox", "failed", ...where]);
    expect(listed.status, listed.stderr).to.equal(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).to.equal("3 failed, the oldest 2 shown");
    expect(lines.slice(1).map((line) => / (no \w+ today)$/.exec(line)?.[1])).to.deep.equal(["no first today", "no second today"]);
    expect((await cli(["inbox", "retry", ...where])).stdout).to.equal("re-queued 2 failed jobs\n");
    const left = await cli(["inbox", "failed", ...where]);
    expect(left.stdout).to.match(/^1 failed\n.* no third today\n$/);
  });

  it("`inbox` exits 3 when Redis cannot be reached and 2 for a wrong command line", async () => {
    const unreachable = await cli(["inbox", "status", "--redis", `redis://127.0.0.1:${await freePort()}`, "--queue", "q"]);
    expect(unreachable.status).to.equal(3);
    expect(unreachable.stderr).to.match(/^ci-callback inbox: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const noQueue = await cli(["inbox", "status", "--redis", suite.redis.url]);
    expect(noQueue.status).to.equal(2);
    expect(noQueue.stderr).to.match(/^ci-callback inbox: --queue is required\nusage: ci-callback inbox/);
    const badAction = await cli(["inbox", "purge", "--queue", "q"]);
    expect(badAction.status).to.equal(2);
    expect(badAction.stderr).to.include('unknown action "purge"');
  });
});
