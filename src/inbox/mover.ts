/**
 * The worker's mover (decisions 0018 and 0019): it takes the callbacks the listener appended to a queue's
 * ingest stream, reading the stream in a consumer group. A worker's mover hands each new entry straight to
 * the worker for its first attempt (`direct`); only a callback whose first attempt failed becomes a BullMQ
 * job, for its retries and its dead letter. Entries claimed from a dead mover, and every entry of a mover
 * without `direct`, become jobs: one `addBulk` of up to 64 (the job id and dedup mark of their key, as the
 * listener's add made them before). Either way an entry is acknowledged and deleted, with its ingest mark,
 * only once its job or its dedup mark exists (scripts.ts, FINISHED), so that a redelivery always finds the
 * ingest mark, the job or the dedup mark. A mover that dies first leaves its entries pending; another mover
 * claims them once they have been idle for `claimIdleMs` and adds their jobs, which BullMQ answers with the
 * jobs already there (a callback without a key gets a job id of its entry's id, and a dedup mark, for the same
 * reason). A mover renews its hold on the entries in hand, as BullMQ renews a job's lock.
 */
import { randomUUID } from "node:crypto";
import type { ConnectionOptions, JobsOptions, Queue } from "bullmq";
import { EVENTS_MAX_LEN, JOB_ATTEMPTS, WORKER_BACKOFF } from "./bullmq-inbox";
import { isCluster, loadBullMQ, type InboxClient, type QueueKeys } from "./connection";
import { keepHandledMsOfMarkTtl } from "./marks";
import { finishEntries, MOVER_GROUP, type FinishedEntries } from "./scripts";
import type { Slots } from "./slots";
import { joinIngested, type StoredCallback } from "./stored-callback";

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
  /** The worker's first attempt at each new entry; without it every entry becomes a job. */
  direct?: DirectHandling;
}

/** A worker's handling of new entries straight from the stream. */
export interface DirectHandling {
  /** The worker's handler slots: an entry is read only when one is free, and handled once it holds one. */
  slots: Slots;
  /**
   * Runs the first attempt at one callback (`jobId`: the id its job has if it gets one): resolves to
   * `handled`, or to the job it becomes, whose attempts BullMQ makes from then on. Reports what failed itself.
   */
  handle(data: StoredCallback, jobId: string): Promise<"handled" | RetryJob>;
}

/** The job a callback whose first attempt failed becomes. */
export interface RetryJob {
  /** When its next attempt is due, in ms from now. */
  delayMs: number;
  /** Attempts made before it became a job ({@link StoredCallback.attemptsBefore}). */
  attemptsBefore: number;
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
  /** How long its dedup mark is kept once it is handled, in ms. */
  keepHandledMs: number;
}

/** An entry the inbox wrote: one with a job. */
type JobEntry = MovedEntry & { job: NonNullable<MovedEntry["job"]> };

function isJobEntry(entry: MovedEntry): entry is JobEntry {
  return entry.job !== undefined;
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
  const keepHandledMs = keepHandledMsOfMarkTtl(ttl);
  if (data === undefined || !(ttl > 0) || !(maxFailed >= 0)) return { id, size, job: undefined, keyedJobId, keepHandledMs };
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
  return { id, size, job: { name: text("n") || "callback", data, opts }, keyedJobId, keepHandledMs };
}

/** An entry the mover is done with, until its step in Redis is written. */
interface FinishedEntry {
  id: string;
  keyedJobId: string | undefined;
  /** Set for a callback handled straight from the stream: its dedup mark, and its bytes no longer waiting. */
  handled?: { keepHandledMs: number; bytes: number };
}

/** The step in Redis of `finished` entries. */
function finishedEntries(finished: readonly FinishedEntry[]): FinishedEntries {
  const marks: FinishedEntries["marks"][number][] = [];
  let releasedBytes = 0;
  for (const { keyedJobId, handled } of finished) {
    if (handled === undefined) continue;
    releasedBytes += handled.bytes;
    // A callback without a key is never a duplicate: it needs no mark.
    if (keyedJobId !== undefined) marks.push({ jobId: keyedJobId, ttlMs: handled.keepHandledMs });
  }
  return {
    entryIds: finished.map((entry) => entry.id),
    ingestMarks: finished.flatMap((entry) => (entry.keyedJobId === undefined ? [] : [entry.keyedJobId])),
    marks,
    releasedBytes,
  };
}

/** Starts the mover of one queue. */
export function startMover(options: MoverOptions): Mover {
  const { client, keys, report, direct } = options;
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

  async function read(from: "0" | ">", count: number): Promise<StreamEntry[]> {
    const args = ["GROUP", MOVER_GROUP, consumer, "COUNT", count, ...(from === ">" ? ["BLOCK", BLOCK_MS] : []), "STREAMS", keys.ingest, from] as const;
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
    reportForeign(chunk.length - jobs.length);
    if (jobs.length > 0) await queue.addBulk(jobs);
    await finishEntries(client, keys, MOVER_GROUP, finishedEntries(chunk));
  }

  function reportForeign(count: number): void {
    if (count > 0) report(new Error(`${count} entries of the ingest stream ${keys.ingest} are not callbacks the inbox stored: dropped`));
  }

  // Entries in hand (handled now, or done and their step not yet written), renewed as BullMQ renews a lock.
  const held = new Set<string>();
  const handling = new Set<Promise<void>>();
  const renewal = direct === undefined ? undefined : setInterval(renew, Math.max(1, Math.floor(options.claimIdleMs / 3)));
  renewal?.unref();

  async function renew(): Promise<void> {
    if (held.size === 0) return;
    // JUSTID: the entries' idle times start again, and their delivery counts stay.
    await client.call("XCLAIM", keys.ingest, MOVER_GROUP, consumer, 0, ...held, "JUSTID").catch(report);
  }

  /** Hands new entries to the worker, each in its own attempt once it holds a slot. */
  function take(entries: StreamEntry[], { slots, handle }: DirectHandling): void {
    const foreign: FinishedEntry[] = [];
    for (const entry of entries.map(movedEntry)) {
      if (!isJobEntry(entry)) foreign.push({ id: entry.id, keyedJobId: entry.keyedJobId });
      else {
        held.add(entry.id);
        const attempt = slots
          .acquire()
          .then(() => attemptOf(entry, handle).finally(() => slots.release()))
          .finally(() => handling.delete(attempt));
        handling.add(attempt);
      }
    }
    reportForeign(foreign.length);
    if (foreign.length > 0) finishLater(foreign);
  }

  /** The first attempt at `entry`: handled, or its job added; either way its step is written after. */
  async function attemptOf(entry: JobEntry, handle: DirectHandling["handle"]): Promise<void> {
    const { name, data, opts } = entry.job;
    try {
      const outcome = await handle(data, opts.jobId as string);
      if (outcome === "handled") {
        finishLater([{ id: entry.id, keyedJobId: entry.keyedJobId, handled: { keepHandledMs: entry.keepHandledMs, bytes: data.bytes ?? 0 } }]);
        return;
      }
      // The job's next attempt counts its delay from now, not from when the listener stored it.
      const { timestamp: _storedAt, ...jobOptions } = opts;
      await queue.add(name, { ...data, attemptsBefore: outcome.attemptsBefore }, { ...jobOptions, delay: outcome.delayMs });
      finishLater([{ id: entry.id, keyedJobId: entry.keyedJobId }]);
    } catch (error) {
      // Left pending, no longer renewed: a mover claims it once idle and makes its job then.
      held.delete(entry.id);
      report(error);
    }
  }

  // The steps of finished entries are written together, one script per turn of the event loop.
  let finished: FinishedEntry[] = [];
  let writing: Promise<void> | undefined;
  let writeTimer: NodeJS.Timeout | undefined;
  function finishLater(entries: FinishedEntry[]): void {
    finished.push(...entries);
    writeTimer ??= setTimeout(() => void write(), 0);
  }
  function write(): Promise<void> {
    writeTimer = undefined;
    writing ??= (async () => {
      while (finished.length > 0) {
        const batch = finished;
        finished = [];
        try {
          await finishEntries(client, keys, MOVER_GROUP, finishedEntries(batch));
          for (const { id } of batch) held.delete(id);
        } catch (error) {
          finished = batch.concat(finished);
          if (stopping) return;
          report(error);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    })().finally(() => (writing = undefined));
    return writing;
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
          // Those in hand are this mover's already.
          entries = (await read("0", MOVE_COUNT + held.size)).filter(([id]) => !held.has(id.toString()));
          ownPending = entries.length > 0;
        }
        if (entries.length > 0) await move(entries);
        else if (direct === undefined) await move(await read(">", MOVE_COUNT));
        else if (direct.slots.free === 0) await direct.slots.whenFree();
        else take(await read(">", Math.min(direct.slots.free, MOVE_COUNT)), direct);
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
    const pending = await reader.xpending(keys.ingest, MOVER_GROUP, "-", "+", 1, consumer);
    if (pending.length === 0) await reader.xgroup("DELCONSUMER", keys.ingest, MOVER_GROUP, consumer);
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
      direct?.slots.wake();
      await running;
      // The attempts in hand finish, and their steps are written once more; what cannot be is claimed later.
      await Promise.all(handling);
      clearTimeout(writeTimer);
      await write();
      clearInterval(renewal);
      await queue.close().catch(() => undefined);
      await leaveGroup().catch(() => undefined);
      reader.disconnect();
    },
  };
}
