/**
 * A Redis for the tests: REDIS_URL if set, else one already answering on 127.0.0.1:6379, else a
 * redis-server this process starts on a free loopback port (no persistence) and stops afterwards.
 * So `npm test` needs only the redis-server binary (Debian: apt-get install redis-server).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A Redis to use, and how to stop it if these tests started it. */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => undefined };
  if (await answers("redis://127.0.0.1:6379")) return { url: "redis://127.0.0.1:6379", stop: async () => undefined };
  const port = await freePort();
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"];
  const url = `redis://127.0.0.1:${port}`;
  const child = await spawnRedisServer(args, url);
  return {
    url,
    stop: async () => {
      child.kill();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/** Starts redis-server with `args` and resolves once it answers on `url` (about 5 s at most). */
export async function spawnRedisServer(args: string[], url: string): Promise<ChildProcess> {
  const child = spawn("redis-server", args, { stdio: "ignore" });
  const failed = once(child, "error").then(([error]) => {
    throw new Error(`redis-server could not be started (${(error as Error).message}): install it, or set REDIS_URL`);
  });
  const ready = (async () => {
    for (let i = 0; i < 100 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 50));
    if (!(await answers(url))) throw new Error(`redis-server started but does not answer on ${url}`);
  })();
  try {
    await Promise.race([ready, failed]);
  } catch (error) {
    child.kill();
    throw error;
  }
  return child;
}

/** Whether a Redis answers PING at `url`. */
export async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // A refused probe is the expected answer "no", which connect() rejects with; without a listener ioredis
  // would also print the error event's stack trace.
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A port nothing listens on now, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
