/**
 * The worker's mover (decision 0018, option 3): it turns the callbacks the listener appended to a queue's
 * ingest stream into BullMQ jobs. It reads the stream in a consumer group (up to 64 entries at a time), adds
 * their jobs with one `addBulk` (the job id and dedup mark of their key, as the listener's add made them
 * before), and only then acknowledges and deletes the entries and their ingest marks, so that a redelivery
 * always finds the ingest mark, the job or its dedup mark. A mover that dies between the add and the
 * acknowledgement leaves its entries pending; another mover claims them once they have been idle for
 * `claimIdleMs` and adds them again, which BullMQ answers with the jobs already there (a callback without a
 * key gets a job id of its entry's id, and a dedup mark, for the same reason).
 */
import { randomUUID } from "node:crypto";
import type { ConnectionOptions, JobsOptions, Queue } from "bullmq";
import { EVENTS_MAX_LEN, JOB_ATTEMPTS, WORKER_BACKOFF } from "./bullmq-inbox";
import { isCluster, loadBullMQ, type InboxClient, type QueueKeys } from "./connection";
import { moved } from "./scripts";
import { joinIngested, type StoredCallback } from "./stored-callback";

/** The consumer group every mover of a queue reads its ingest stream in. */
export const MOVER_GROUP = "ci-mover";

/** Entries read per round trip at most. */
const MOVE_COUNT = 64;

/**
 * Job data added per `addBulk` at most, in bytes: each chunk's entries are deleted before the next is added,
 * so that moving needs room for one chunk beside what waits (a Redis at its `maxmemory` still drains).
 */
const CHUNK_MAX_BYTES = 1024 * 1024;

/** How long one read waits for new entries, in ms: what a closing mover may wait for its last read. */
const BLOCK_MS = 250;

/** The wait after a failed round (Redis away), in ms. */
const RETRY_MS = 250;

/** What a mover is given. */
export interface MoverOptions {
  /** The worker's client: the mover's scripts and the BullMQ queue it adds to. */
  client: InboxClient;
  keys: QueueKeys;
  queueName: string;
  prefix: string | undefined;
  /** How long an entry read by another mover stays its own before it is claimed, in ms (the worker's lock duration). */
  claimIdleMs: number;
  /** How often entries of dead movers are looked for, in ms (the worker's stalled interval). */
  claimEveryMs: number;
  /** Told about each failed round (the entries stay pending and are moved again). */
  report(error: unknown): void;
}

/** A running mover. */
export interface Mover {
  /** Resolves once the consumer group exists (so that entries appended from then on are read). */
  ready(): Promise<void>;
  /** Finishes the round in hand and stops. */
  stop(): Promise<void>;
}

/** A stream entry as ioredis's Buffer commands return it: its id and its flat field/value list (null for an entry deleted while pending). */
type StreamEntry = [id: Buffer, fields: Buffer[] | null];

/** A job of an entry, or undefined for an entry that is not one the inbox wrote. */
interface MovedEntry {
  id: string;
  /** The size of its job data as stored, in bytes. */
  size: number;
  job: { name: string; data: StoredCallback; opts: JobsOptions } | undefined;
  /** The callback's job id when it has a key (its ingest mark is deleted once moved). */
  keyedJobId: string | undefined;
}

/** The job of an ingest entry, with the options the inbox's queue gave every job before the stream (decision 0011). */
export function movedEntry([rawId, fields]: StreamEntry): MovedEntry {
  const id = rawId.toString();
  const field = new Map<string, Buffer>();
  for (let i = 0; fields !== null && i + 1 < fields.length; i += 2) field.set(fields[i]!.toString(), fields[i + 1]!);
  const text = (name: string) => field.get(name)?.toString() ?? "";
  const keyedJobId = text("j") || undefined;
  const ttl = Number(text("t"));
  const maxFailed = Number(text("f"));
  const body = field.get("b");
  const rest = text("r");
  const size = (body?.length ?? 0) + rest.length;
  let data: StoredCallback | undefined;
  try {
    data = body === undefined ? undefined : joinIngested(body, rest);
  } catch {
    data = undefined;
  }
  if (data === undefined || !(ttl > 0) || !(maxFailed >= 0)) return { id, size, job: undefined, keyedJobId };
  // A callback without a key gets an id of its entry, so that adding it again after a crash adds nothing.
  const jobId = keyedJobId ?? `ci-in-${id}`;
  const opts: JobsOptions = {
    jobId,
    // The dedup mark (BullMQ's deduplication key) outlives the job, which is removed once handled.
    deduplication: { id: jobId, ttl },
    // When the listener stored it: the oldest wait and the mark's grace count from there.
    timestamp: Number(id.split("-")[0]),
    attempts: JOB_ATTEMPTS,
    backoff: { type: WORKER_BACKOFF },
    removeOnComplete: true,
    removeOnFail: { count: maxFailed },
  };
  return { id, size, job: { name: text("n") || "callback", data, opts }, keyedJobId };
}

/** Starts the mover of one queue. */
export function startMover(options: MoverOptions): Mover {
  const { client, keys, report } = options;
  const consumer = randomUUID();
  // Reads wait on a connection of their own, so that the worker's commands never queue behind them.
  // Both branches duplicate: the narrowing is for TypeScript, as Cluster's and Redis's duplicate() differ in type.
  const reader: InboxClient = isCluster(client) ? client.duplicate() : client.duplicate();
  reader.on("error", () => undefined); // the worker's client reports the connection
  const { Queue } = loadBullMQ();
  const queue: Queue<StoredCallback> = new Queue(options.queueName, {
    // BullMQ's type of a client is its own copy of ioredis's; a client it is handed stays open.
    connection: client as unknown as ConnectionOptions,
    prefix: options.prefix,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
  });
  queue.on("error", () => undefined); // the worker's client reports the connection
  let stopping = false;
  let wake: (() => void) | undefined;

  async function createGroup(): Promise<void> {
    try {
      await client.xgroup("CREATE", keys.ingest, MOVER_GROUP, "0", "MKSTREAM");
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("BUSYGROUP"))) throw error;
    }
  }

  async function read(from: "0" | ">"): Promise<StreamEntry[]> {
    const args = ["GROUP", MOVER_GROUP, consumer, "COUNT", MOVE_COUNT, ...(from === ">" ? ["BLOCK", BLOCK_MS] : []), "STREAMS", keys.ingest, from] as const;
    // Bytes: a body that is not UTF-8 comes back as it was stored.
    const reply = (await (reader.xreadgroupBuffer as (...a: (string | number)[]) => Promise<unknown>)(...args)) as [Buffer, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  let claimCursor = "0-0";
  async function claim(): Promise<StreamEntry[]> {
    const [next, entries] = (await reader.callBuffer("XAUTOCLAIM", keys.ingest, MOVER_GROUP, consumer, options.claimIdleMs, claimCursor, "COUNT", MOVE_COUNT)) as [Buffer, (StreamEntry | null)[]];
    claimCursor = next.toString();
    return entries.filter((entry): entry is StreamEntry => entry !== null);
  }

  async function move(entries: StreamEntry[]): Promise<void> {
    let chunk: MovedEntry[] = [];
    let chunkBytes = 0;
    for (const entry of entries.map(movedEntry)) {
      if (chunk.length > 0 && chunkBytes + entry.size > CHUNK_MAX_BYTES) {
        await moveChunk(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(entry);
      chunkBytes += entry.size;
    }
    if (chunk.length > 0) await moveChunk(chunk);
  }

  /** Adds the jobs of `chunk`, then acknowledges and deletes its entries: a job exists before its ingest mark goes. */
  async function moveChunk(chunk: MovedEntry[]): Promise<void> {
    const jobs = chunk.flatMap((entry) => (entry.job === undefined ? [] : [entry.job]));
    const foreign = chunk.length - jobs.length;
    if (foreign > 0) report(new Error(`${foreign} entries of the ingest stream ${keys.ingest} are not callbacks the inbox stored: dropped`));
    if (jobs.length > 0) await queue.addBulk(jobs);
    const keyed = chunk.flatMap((entry) => (entry.keyedJobId === undefined ? [] : [entry.keyedJobId]));
    await moved(client, keys, MOVER_GROUP, chunk.map((entry) => entry.id), keyed);
  }

  async function run(): Promise<void> {
    // Entries already delivered to this consumer are read again after a failed round.
    let ownPending = false;
    let claimedAt = 0;
    while (!stopping) {
      try {
        let entries: StreamEntry[] = [];
        if (Date.now() - claimedAt >= options.claimEveryMs) {
          entries = await claim();
          // A full page may have more behind it: look again at once.
          if (claimCursor === "0-0") claimedAt = Date.now();
        }
        if (entries.length === 0 && ownPending) {
          entries = await read("0");
          ownPending = entries.length > 0;
        }
        if (entries.length === 0) entries = await read(">");
        if (entries.length > 0) await move(entries);
      } catch (error) {
        if (stopping) break;
        report(error);
        ownPending = true;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RETRY_MS);
        });
        wake = undefined;
      }
    }
  }

  /** Removes this consumer from the group when it holds no entry (deleting it would drop what it holds from the group). */
  async function leaveGroup(): Promise<void> {
    const held = await reader.xpending(keys.ingest, MOVER_GROUP, "-", "+", 1, consumer);
    if (held.length === 0) await reader.xgroup("DELCONSUMER", keys.ingest, MOVER_GROUP, consumer);
  }

  const started = createGroup();
  const running = started.then(run, async (error: unknown) => {
    report(error);
    // Redis was away at the start: the group is made once it is back.
    while (!stopping) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      if (stopping) return;
      const made = await createGroup().then(() => true, (again: unknown) => (report(again), false));
      if (made) return run();
    }
  });

  return {
    ready: async () => {
      await started.catch(() => undefined);
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      await queue.close().catch(() => undefined);
      await leaveGroup().catch(() => undefined);
      reader.disconnect();
    },
  };
}
