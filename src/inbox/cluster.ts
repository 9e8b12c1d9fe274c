/**
 * A Redis Cluster as the inbox's and the worker's connection: `{ cluster: [{ host, port }, …], ...options }`
 * becomes one ioredis `Cluster`, which BullMQ is handed as it is (it leaves a client it was handed open, so
 * whoever opened it closes it after BullMQ).
 */
import type { Cluster, ClusterNode, ClusterOptions } from "ioredis";

/**
 * A Redis Cluster for `createCallbackInbox`, `createCallbackWorker` and `ci-callback inbox --cluster`: the
 * nodes to discover it from and, beside them, ioredis's Cluster options as ioredis takes them (`redisOptions`
 * for each node's connection: password, TLS, …). Reconnection defaults to every ≤ 2 s, for the cluster and for
 * each node (a master restarted in place is taken back without waiting for a slot refresh).
 */
export interface ClusterConnection extends ClusterOptions {
  /** Startup nodes, as ioredis's Cluster takes them: one reachable master is enough to find the others. */
  cluster: ClusterNode[];
}

/** Whether a connection names a cluster. */
export function isClusterConnection(connection: unknown): connection is ClusterConnection {
  return typeof connection === "object" && connection !== null && "cluster" in connection;
}

/**
 * Opens an ioredis Cluster; `overrides` win over the user's options, which win over `defaults`, and each node
 * connects within 5 s unless told otherwise. Call it after `loadBullMQ()`, whose error names the peers to install.
 * @throws TypeError when `cluster` lists no node.
 */
export function openCluster(connection: ClusterConnection, overrides: ClusterOptions = {}, defaults: ClusterOptions = {}): Cluster {
  const { cluster: nodes, ...options } = connection;
  if (!Array.isArray(nodes) || nodes.length === 0) throw new TypeError("connection.cluster must list at least one node, as { host, port }");
  const { Cluster: ClusterClient } = require("ioredis") as typeof import("ioredis");
  return new ClusterClient(nodes, {
    ...defaults,
    ...options,
    ...overrides,
    redisOptions: { connectTimeout: 5000, ...options.redisOptions, ...overrides.redisOptions },
  });
}
