/**
 * A real Redis Cluster of the test's own on loopback: `masters` redis-servers with `--cluster-enabled yes`,
 * joined by `redis-cli --cluster create` (no replicas), each with an append-only file in a temporary
 * directory of its own, so that a master stopped with SIGTERM and started again keeps its data and its place
 * in the cluster (its nodes.conf). Every wait polls the cluster's own state, within a deadline.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, spawnRedisServer } from "./redis";

/** A node of the cluster, as ioredis's Cluster takes it. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** A Redis Cluster this process runs. */
export interface RedisCluster {
  /** The masters' addresses, in the order they were started. */
  nodes: ClusterNodeAddress[];
  /** Stops master `index` (SIGTERM: it writes its append-only file and nodes.conf, then exits). */
  stop(index: number): Promise<void>;
  /** Starts master `index` again on its port, with its data, and waits until the cluster is whole again. */
  start(index: number): Promise<void>;
  /** Master `index`'s `cluster_state` (`ok`, or `fail` once it finds a slot uncovered), or the error it answered with. */
  state(index: number): Promise<string>;
  /** Stops every node and removes their directories. */
  remove(): Promise<void>;
}

/** How long the cluster may take to agree it is whole (after creation or a restart). */
const CLUSTER_OK_TIMEOUT_MS = 30_000;

/** Starts a cluster of `masters` masters on loopback and waits until every node reports `cluster_state:ok`. */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const dirs: string[] = [];
  const children: (ChildProcess | undefined)[] = [];
  const nodes: ClusterNodeAddress[] = [];
  const busPorts: number[] = [];
  for (let i = 0; i < masters; i++) {
    nodes.push({ host: "127.0.0.1", port: await freePort() });
    // The bus port is given, not port + 10000, which can lie past 65535 for a port from the ephemeral range.
    busPorts.push(await freePort());
    dirs.push(mkdtempSync(join(tmpdir(), "ci-callback-cluster-")));
  }

  async function start(index: number): Promise<void> {
    const { port } = nodes[index];
    const dir = dirs[index];
    const args = [
      "--bind", "127.0.0.1", "--port", String(port), "--dir", dir,
      "--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf"), "--cluster-port", String(busPorts[index]),
      // A stopped master is seen as failed within a second, and is taken back soon after it returns.
      "--cluster-node-timeout", "1000",
      "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
    ];
    children[index] = await spawnRedisServer(args, `redis://127.0.0.1:${port}`);
  }

  async function stop(index: number): Promise<void> {
    const child = children[index];
    children[index] = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }

  async function remove(): Promise<void> {
    for (let i = 0; i < masters; i++) await stop(i);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  try {
    for (let i = 0; i < masters; i++) await start(i);
    await createCluster(nodes);
    await waitUntilWhole(nodes);
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    nodes,
    stop,
    start: async (index) => {
      await start(index);
      await waitUntilWhole(nodes);
    },
    remove,
    state: (index) => clusterState(nodes[index]!),
  };
}

async function clusterState(node: ClusterNodeAddress): Promise<string> {
  const client = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return /^cluster_state:(\w+)/m.exec(await client.cluster("INFO"))?.[1] ?? "none";
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.disconnect();
  }
}

/** `redis-cli --cluster create …`: assigns the slots evenly over the masters and joins them. */
async function createCluster(nodes: ClusterNodeAddress[]): Promise<void> {
  const args = ["--cluster", "create", ...nodes.map((n) => `${n.host}:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"];
  const child = spawn("redis-cli", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const failed = once(child, "error").then(([error]) => {
    throw new Error(`redis-cli could not be started (${(error as Error).message}): it comes with Debian's redis-server package`);
  });
  const [code] = (await Promise.race([once(child, "close"), failed])) as [number | null];
  if (code !== 0) throw new Error(`redis-cli --cluster create exited ${code}: ${output.slice(-2000)}`);
}

/**
 * Polls every node's `CLUSTER INFO` until all say `cluster_state:ok` and know every master, and every master
 * answers `CLUSTER SLOTS` with all 16384 slots covered.
 */
async function waitUntilWhole(nodes: ClusterNodeAddress[]): Promise<void> {
  const deadline = Date.now() + CLUSTER_OK_TIMEOUT_MS;
  let last = "";
  for (;;) {
    last = await whyNotWhole(nodes);
    if (last === "") return;
    if (Date.now() > deadline) throw new Error(`the cluster is not whole after ${CLUSTER_OK_TIMEOUT_MS} ms: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What keeps the cluster from being whole now, or "" when nothing does. */
async function whyNotWhole(nodes: ClusterNodeAddress[]): Promise<string> {
  for (const node of nodes) {
    const client = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const info = await client.cluster("INFO");
      if (!/^cluster_state:ok\r?$/m.test(info)) return `${node.port}: ${/^cluster_state:\w+/m.exec(info)?.[0] ?? "no state"}`;
      const known = Number(/^cluster_known_nodes:(\d+)/m.exec(info)?.[1]);
      if (known !== nodes.length) return `${node.port} knows ${known} of ${nodes.length} nodes`;
      const assigned = Number(/^cluster_slots_ok:(\d+)/m.exec(info)?.[1]);
      if (assigned !== 16384) return `${node.port} sees ${assigned} slots ok`;
    } catch (error) {
      return `${node.port}: ${(error as Error).message}`;
    } finally {
      client.disconnect();
    }
  }
  return "";
}
