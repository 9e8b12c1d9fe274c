/**
 * The floor of an add, for the inbox section of `npm run bench:http` (issue 17, decision 0018): what storing
 * one callback costs Redis and the process that sends it, with nothing else around it (no HTTP, no parse, no
 * reservation), in round trips of 64 as the inbox batches them. `BullMQ addBulk`: the jobs the inbox adds
 * (its job data and options, BullMQ's add script per job); `XADD`: the same job data appended to a stream with
 * one command each, the cheapest durable append Redis has; and XADD of the body's bytes and the dedup key
 * alone, the least any durable inbox on Redis can send (no canonical object, no JSON). Alternating rounds on the section's redis-server,
 * medians. With the inline listener's CPU per request (L) from the same run, the highest req/s ratio an inbox
 * can reach when Redis shares the listener's core is L / (L + Redis + sender), what the targets are read against.
 */
import { join } from "node:path";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type * as InboxModule from "../src/inbox/bullmq-inbox";
import type * as StoredModule from "../src/inbox/stored-callback";
import type { InboxEntry } from "../src/receiver/callback-inbox";
import type * as ListenerModule from "../src/receiver/listener";
import { JOB_ID_PLACEHOLDER, seedBody } from "./http-load";

const built = join(__dirname, "..", "dist", "src");
const ADDS = 3200;
const BATCH = 64;
const ROUNDS = 3;

/** One way of storing a callback: Redis's and the sender's CPU per add, medians over the rounds. */
export interface AddFloor {
  name: string;
  redisUsPerAdd: number;
  senderUsPerAdd: number;
}

/** Redis's own CPU time in µs (INFO cpu). */
async function redisCpuUs(client: Redis): Promise<number> {
  const info = await client.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? NaN);
  return (field("used_cpu_user") + field("used_cpu_sys")) * 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The entries the listener hands its inbox for `count` seed callbacks with JobIds of their own. */
async function seedEntries(count: number): Promise<InboxEntry[]> {
  const { createCallbackListener } = require(join(built, "receiver", "listener")) as typeof ListenerModule;
  const entries: InboxEntry[] = [];
  const listener = createCallbackListener({ secret: false, inbox: { add: async (entry) => void entries.push(entry) } });
  const { template } = seedBody("json");
  for (let i = 0; i < count; i++) {
    await listener.handle({ method: "POST", url: "/", body: async () => Buffer.from(template.replace(JOB_ID_PLACEHOLDER, `floor-${i}`)) });
  }
  return entries;
}

/** Measures each way of storing {@link ADDS} callbacks on `client`'s Redis (a scratch queue and stream, removed after). */
export async function addFloors(client: Redis): Promise<AddFloor[]> {
  const { storeCallback, jobIdOfKey } = require(join(built, "inbox", "stored-callback")) as typeof StoredModule;
  const { JOB_ATTEMPTS, WORKER_BACKOFF, EVENTS_MAX_LEN } = require(join(built, "inbox", "bullmq-inbox")) as typeof InboxModule;
  const entries = await seedEntries(ADDS);
  const queueName = "bench-add-floor";
  const connection = client.duplicate();
  const queue = new Queue(queueName, {
    connection,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
    defaultJobOptions: { attempts: JOB_ATTEMPTS, backoff: { type: WORKER_BACKOFF }, removeOnComplete: true, removeOnFail: { count: 10_000 } },
  });
  const stream = `${queueName}:stream`;
  const ways: Record<string, (from: number, round: number) => Promise<unknown>> = {
    "BullMQ addBulk (the inbox's jobs)": (from, round) =>
      queue.addBulk(
        entries.slice(from, from + BATCH).map((entry) => {
          const jobId = `${round}-${jobIdOfKey(entry.key ?? "")}`;
          return { name: entry.names.at(-1) ?? "callback", data: storeCallback(entry, Date.now()), opts: { jobId, deduplication: { id: jobId, ttl: 60_000 } } };
        }),
      ),
    "XADD of the same job data": (from) => {
      const pipeline = client.pipeline();
      for (const entry of entries.slice(from, from + BATCH)) pipeline.xadd(stream, "*", "data", JSON.stringify(storeCallback(entry, Date.now())));
      return pipeline.exec();
    },
    "XADD of the body's bytes and its key": (from) => {
      const pipeline = client.pipeline();
      for (const entry of entries.slice(from, from + BATCH)) {
        const body = typeof entry.rawBody === "string" ? entry.rawBody : Buffer.from(entry.rawBody.buffer, entry.rawBody.byteOffset, entry.rawBody.byteLength);
        pipeline.xadd(stream, "*", "body", body, "key", entry.key ?? "");
      }
      return pipeline.exec();
    },
  };
  const runs = new Map<string, { redis: number[]; sender: number[] }>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, add] of Object.entries(ways)) {
        const redisFrom = await redisCpuUs(client);
        const senderFrom = process.cpuUsage();
        for (let from = 0; from < ADDS; from += BATCH) await add(from, round);
        const sender = process.cpuUsage(senderFrom);
        const redis = (await redisCpuUs(client)) - redisFrom;
        const run = runs.get(name) ?? { redis: [], sender: [] };
        run.redis.push(redis / ADDS);
        run.sender.push((sender.user + sender.system) / ADDS);
        runs.set(name, run);
        // Emptied between runs, so that each starts from the same memory.
        await queue.obliterate({ force: true });
        await client.del(stream);
      }
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return [...runs].map(([name, run]) => ({ name, redisUsPerAdd: median(run.redis), senderUsPerAdd: median(run.sender) }));
}
