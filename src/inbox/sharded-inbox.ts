/**
 * The inbox a listener is given, over the inboxes of its queues (src/inbox/bullmq-inbox.ts makes one per
 * queue): one queue, or `shards` of them, each callback on the shard of its dedup key (src/inbox/shards.ts).
 * The queues share one client, to a single Redis or a Redis Cluster, opened, watched and closed here; the
 * stats list every queue and sum them.
 */
import type { CallbackInbox, InboxEntry } from "../receiver/callback-inbox";
import { connectionReporter, defaultLogger, type CallbackLogger } from "../receiver/logger";
import { checkQueueName, createRedisClient, isCluster, type InboxClient, type InboxConnection } from "./connection";
import { readShards, shardOfKey, shardQueueNames } from "./shards";
import { sumStats, type InboxStats } from "./stats";

/** One queue's inbox. */
export interface QueueInbox extends CallbackInbox {
  /** The queue's name. */
  readonly queueName: string;
  /** What the queue holds. */
  stats(): Promise<InboxStats>;
  /** Stores the adds already made, refuses new ones; the client is closed by the sharded inbox. */
  close(): Promise<void>;
}

/** What the inbox of one queue is given. */
export interface QueueShare {
  /** The queue's name: the inbox's own, or a shard's with its hash tag. */
  queueName: string;
  /** The client the queues share. */
  client: InboxClient;
  /** How many queues share the inbox's caps (`maxWaiting`, `maxWaitingBytes`). */
  shards: number;
}

/** The options of the inbox that sharding reads. */
export interface ShardedInboxOptions {
  connection: InboxConnection;
  queueName: string;
  prefix?: string;
  shards?: number;
  onError?: (error: Error) => void;
  logger?: CallbackLogger;
}

/**
 * The inbox over the queues `createQueue` makes, one per shard, on one client opened here.
 * @throws TypeError or RangeError for a queue name BullMQ refuses, a name or prefix with a brace where the
 * inbox needs hash tags (a cluster, or shards), or `shards` out of range.
 */
export function shardedInbox(options: ShardedInboxOptions, createQueue: (share: QueueShare) => QueueInbox): QueueInbox {
  const queueName = checkQueueName(options.queueName);
  const shards = readShards(options.shards);
  // One connection for every queue's adds and the inbox's own scripts; commands are not queued while Redis is away.
  const client = createRedisClient(options.connection, { enableOfflineQueue: false });
  const connection = connectionReporter(options.logger ?? defaultLogger, `inbox ${queueName}`);
  client.on("error", options.onError ?? ((error: Error) => connection.error(error)));
  client.on("ready", () => connection.ready());
  let inboxes: QueueInbox[];
  try {
    const names = shardQueueNames(queueName, shards, { clustered: isCluster(client), prefix: options.prefix });
    inboxes = names.map((name) => createQueue({ queueName: name, client, shards }));
  } catch (error) {
    client.disconnect();
    throw error;
  }
  // Callbacks without a key (never deduplicated) go round the shards.
  let spread = 0;
  let closing: Promise<void> | undefined;
  return {
    queueName,
    add(entry: InboxEntry): Promise<void> {
      const shard = shardOfKey(entry.key, shards, spread);
      if (entry.key === undefined) spread = (spread + 1) % shards;
      return inboxes[shard]!.add(entry);
    },
    async stats(): Promise<InboxStats> {
      const queues = (await Promise.all(inboxes.map((inbox) => inbox.stats()))).flatMap((stats) => stats.queues);
      return { total: sumStats(queues), queues };
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all(inboxes.map((inbox) => inbox.close()));
        await client.quit().catch(() => client.disconnect());
      })();
      return closing;
    },
  };
}
