/**
 * A redis-server of a test's own, on a free loopback port, that the test can stop and start again on the same
 * port (an outage), unlike the shared one of ./redis.ts. Stopped with SIGTERM it saves a snapshot, which the
 * next start reads: the queue survives the outage, as on a Redis that persists.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnRedisServer } from "./redis";

/** A redis-server this process runs. */
export interface RedisServer {
  url: string;
  port: number;
  /** Starts it again on the same port, with the data it saved when stopped. */
  start(): Promise<void>;
  /** Stops it (SIGTERM: it saves its data to its directory first, and refuses connections after). */
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

/**
 * Starts a redis-server on a free loopback port, with its data in a directory of its own: an RDB snapshot,
 * or with `aof` an append-only file fsynced every second (the deployment the README recommends); `args` are
 * more redis-server options (`--maxmemory 64mb`).
 */
export async function startRedisServer(options: { aof?: boolean; args?: readonly string[] } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ci-callback-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    // An RDB snapshot written on SIGTERM and read at start: the data survives a stop, as it would with AOF.
    const persistence = options.aof === true ? ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"] : ["--save", "3600 1", "--appendonly", "no"];
    const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, ...persistence, ...(options.args ?? [])];
    child = await spawnRedisServer(args, url);
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGTERM");
    await exited;
  }

  await start();
  return {
    url,
    port,
    start,
    stop,
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
