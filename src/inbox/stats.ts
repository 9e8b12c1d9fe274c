/**
 * What an inbox holds, per queue, for `inbox.stats()` and `ci-callback inbox status`: job counts by state,
 * the dedup marks kept, the age of the oldest waiting callback and the bytes held.
 */
import { isCluster, type InboxClient, type QueueKeys } from "./connection";
import { countMarks, queueCounts } from "./scripts";

/** Counts that add up over queues (shards). */
export interface InboxCounts {
  /** Callbacks stored, not yet taken by a worker. */
  waiting: number;
  /** Callbacks a worker is handling. */
  active: number;
  /** Callbacks waiting for their next attempt (backoff). */
  delayed: number;
  /** Callbacks whose attempts are exhausted: the dead letter, bodies kept until retried or past `maxFailed`. */
  failed: number;
  /** Dedup marks of handled callbacks kept (`keepHandledMs`): redeliveries of these are answered as duplicates. */
  handled: number;
  /** How long the oldest waiting callback has waited, in ms; null when none waits. */
  oldestWaitingMs: number | null;
  /** Bytes held by callbacks not yet handled (waiting, active, delayed), as `maxWaitingBytes` counts them (twice each body). */
  waitingBytes: number;
  /** Bytes of the failed jobs' data (their bodies and fields), which `maxFailed` bounds. */
  failedBytes: number;
}

/** The counts of one queue, and the bounds its inbox set. */
export interface InboxQueueStats extends InboxCounts {
  /** The queue's name. */
  queueName: string;
  /** Whether the queue was ever used (an inbox made on it, or a job added). */
  used: boolean;
  /** The bounds the inbox stored (`maxWaiting`, `maxWaitingBytes`, `maxFailed`, `keepHandledMs`), when it ran. */
  bounds: Readonly<Record<string, number>>;
}

/** What {@link BullMQCallbackInbox.stats} answers: each queue, and the sums over them. */
export interface InboxStats {
  /** Sums over the queues (the oldest wait is the oldest of any). */
  total: InboxCounts;
  /** One entry per queue. */
  queues: InboxQueueStats[];
}

/** The stats of one queue, in two steps: a SCAN over its dedup marks (O(marks)), then the counts in one script. */
export async function readQueueStats(client: InboxClient, keys: QueueKeys, queueName: string, now = Date.now()): Promise<InboxQueueStats> {
  // A SCAN goes to one node: on a cluster, every master is scanned (the queue's marks are on the one of its slot).
  const nodes = isCluster(client) ? client.nodes("master") : [client];
  const marks = (await Promise.all(nodes.map((node) => countMarks(node, keys)))).reduce((sum, count) => sum + count, 0);
  // The counts after the marks: a job a mover adds in between (with its mark) is counted as waiting and its
  // mark is not, so a handled count can lag, never run ahead of what was handled.
  const counts = await queueCounts(client, keys);
  // Every keyed job has its mark from the moment it is added (a callback still in the ingest stream has none
  // yet): the handled ones are the rest.
  const handled = Math.max(0, marks - (counts.waiting - counts.ingesting) - (counts.active - counts.handling) - counts.delayed - counts.failed);
  return {
    queueName,
    used: counts.used,
    waiting: counts.waiting,
    active: counts.active,
    delayed: counts.delayed,
    failed: counts.failed,
    handled,
    oldestWaitingMs: counts.oldestWaitingAt === undefined ? null : Math.max(0, now - counts.oldestWaitingAt),
    waitingBytes: counts.waitingBytes,
    failedBytes: counts.failedBytes,
    bounds: counts.bounds,
  };
}

/** The sums of {@link InboxCounts} over queues. */
export function sumStats(queues: readonly InboxCounts[]): InboxCounts {
  const total: InboxCounts = { waiting: 0, active: 0, delayed: 0, failed: 0, handled: 0, oldestWaitingMs: null, waitingBytes: 0, failedBytes: 0 };
  for (const queue of queues) {
    total.waiting += queue.waiting;
    total.active += queue.active;
    total.delayed += queue.delayed;
    total.failed += queue.failed;
    total.handled += queue.handled;
    total.waitingBytes += queue.waitingBytes;
    total.failedBytes += queue.failedBytes;
    if (queue.oldestWaitingMs !== null) total.oldestWaitingMs = Math.max(total.oldestWaitingMs ?? 0, queue.oldestWaitingMs);
  }
  return total;
}
