/**
 * `--cluster host:port,…` of `ci-callback inbox`: the startup nodes of a Redis Cluster, each `host:port` or a
 * `redis://` / `rediss://` URL (whose user and password, and TLS for `rediss:`, then apply to every node, as
 * they do for `--redis`).
 */
import type { ClusterConnection } from "../inbox/cluster";

/** A `--cluster` value read: the connection, and the nodes as they may be printed. */
export interface ParsedCluster {
  /** The nodes, with the user, password and TLS that URLs among them gave. */
  connection: ClusterConnection;
  /** `host:port,…`, for messages. */
  shown: string;
}

/**
 * Reads a `--cluster` value.
 * @returns undefined for a value that is not a list of host:port or redis:// URLs (the caller's usage error).
 */
export function parseClusterNodes(value: string): ParsedCluster | undefined {
  const nodes: { host: string; port: number }[] = [];
  let username: string | undefined;
  let password: string | undefined;
  let tls = false;
  for (const entry of value.split(",")) {
    const text = entry.trim();
    const url = URL.canParse(text.includes("://") ? text : `redis://${text}`) ? new URL(text.includes("://") ? text : `redis://${text}`) : undefined;
    if (url === undefined || (url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "" || url.pathname.length > 1) return undefined;
    const port = url.port === "" ? 6379 : Number(url.port);
    nodes.push({ host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port });
    if (url.username !== "") username = decodeURIComponent(url.username);
    if (url.password !== "") password = decodeURIComponent(url.password);
    if (url.protocol === "rediss:") tls = true;
  }
  const redisOptions = { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }), ...(tls ? { tls: {} } : {}) };
  return {
    connection: { cluster: nodes, ...(Object.keys(redisOptions).length === 0 ? {} : { redisOptions }) },
    shown: nodes.map((node) => `${node.host.includes(":") ? `[${node.host}]` : node.host}:${node.port}`).join(","),
  };
}
