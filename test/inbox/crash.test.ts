import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { expect } from "chai";
import { Redis } from "ioredis";
import { createCallbackListener, type CallbackListener } from "../../src";
import { createCallbackInbox, createCallbackWorker } from "../../src/inbox";
import { repoRoot } from "../support/examples";
import { counts, eventBody, inspect, postOf, recordHandled, useInboxSuite, waitFor } from "../support/inbox";

/** Tallies of the JobIds a worker handled: each must appear once. */
function tally(ids: string[]): Map<string, number> {
  const counted = new Map<string, number>();
  for (const id of ids) counted.set(id, (counted.get(id) ?? 0) + 1);
  return counted;
}

describe("inbox: workers that stop or die with jobs in hand lose nothing acknowledged (real redis-server)", function () {
  // Waits end on events (a job state, a child's exit); this bound is for a hang on a loaded machine.
  this.timeout(300_000);
  const suite = useInboxSuite();
  let listener: CallbackListener;
  beforeEach(() => {
    const inbox = createCallbackInbox({ connection: suite.redis.url, queueName: suite.queueName });
    suite.closeAfter(() => inbox.close());
    listener = createCallbackListener({ inbox, secret: false });
  });

  /** Posts `count` distinct events; returns the JobIds acknowledged (200). */
  async function acknowledge(count: number, prefix: string): Promise<string[]> {
    const acked: string[] = [];
    for (let i = 0; i < count; i++) {
      const jobId = `${prefix}-${i}`;
      if ((await listener.handle(postOf(eventBody(jobId)))).status === 200) acked.push(jobId);
    }
    return acked;
  }

  it("a worker closed mid-run finishes the jobs in hand, and another handles the rest: each once", async () => {
    const acked = await acknowledge(12, "j-close");
    expect(acked).to.have.length(12);
    const startedByFirst: string[] = [];
    const handledByFirst: string[] = [];
    const first = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4 });
    suite.closeAfter(() => first.close());
    first.on("TaskFinish", async (callback) => {
      if (callback.EventName !== "TaskFinish") return;
      startedByFirst.push(callback.JobsDetail[0].JobId);
      await new Promise((resolve) => setTimeout(resolve, 200));
      handledByFirst.push(callback.JobsDetail[0].JobId);
    });
    await waitFor("the first worker to hold jobs", () => startedByFirst.length >= 4);
    await first.close();
    // close() resolved: what the first worker started, it finished.
    expect(handledByFirst).to.deep.equal(startedByFirst);
    expect(handledByFirst.length).to.be.lessThan(12);

    const second = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4 });
    suite.closeAfter(() => second.close());
    const handledBySecond = recordHandled(second);
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    await waitFor("every job to complete", async () => (await counts(queue)).handled === 12);
    const all = tally([...handledByFirst, ...handledBySecond]);
    expect([...all.keys()].sort()).to.deep.equal([...acked].sort());
    expect([...all.values()].every((n) => n === 1)).to.equal(true);
  });

  it("a worker process killed (SIGKILL) with jobs in hand: a second worker finds them stalled and handles them", async () => {
    const acked = await acknowledge(8, "j-kill");
    expect(acked).to.have.length(8);
    const probe = new Redis(suite.redis.url);
    suite.closeAfter(() => probe.quit());
    const script = join(repoRoot, "test", "inbox", "worker-process.ts");
    const child: ChildProcess = spawn(process.execPath, ["--require", "tsx/cjs", script, suite.redis.url, suite.queueName], { cwd: repoRoot, stdio: "ignore" });
    suite.closeAfter(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
    });
    await waitFor("the child worker to hold 4 jobs", async () => (await probe.llen(`started:${suite.queueName}`)) >= 4);
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
    const inHand = await probe.lrange(`started:${suite.queueName}`, 0, -1);
    const queue = inspect(suite.redis.url, suite.queueName);
    suite.closeAfter(() => queue.close());
    // The killed worker's jobs are still active: their locks expire, and the stalled check moves them back.
    expect((await counts(queue)).active).to.equal(inHand.length);

    const second = createCallbackWorker({ connection: suite.redis.url, queueName: suite.queueName, concurrency: 4, lockDurationMs: 1000, stalledIntervalMs: 500 });
    suite.closeAfter(() => second.close());
    const handled = recordHandled(second);
    await waitFor("every job to complete", async () => (await counts(queue)).handled === 8);
    expect([...handled].sort()).to.deep.equal([...acked].sort());
    expect(handled).to.include.members(inHand);
    expect(await counts(queue)).to.include({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });
});
