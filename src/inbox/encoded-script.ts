/**
 * A Lua script the inbox sends with its command already written in Redis's protocol, into a buffer that is used
 * again once Redis has answered. ioredis writes each command with a Buffer argument into a new buffer of the
 * command's size: for the listener's add, about half a megabyte per batch, whose pages, touched for the first
 * time, cost the listener more than all the rest of its add (decision 0018, "The add's command, written once").
 * Sent as EVALSHA, and as EVAL when Redis lacks the script (restarted, flushed), as ioredis's own scripts are.
 */
import type { Command as RedisCommand, ReplyError as RedisReplyError } from "ioredis";
import { nodeCrypto } from "../receiver/node-crypto";
import type { InboxClient } from "./connection";

/** An argument of a script: numbers are sent as their decimal text, strings as UTF-8, buffers as they are. */
export type ScriptArgument = string | number | Buffer;

/** A script and how to run it. */
export interface EncodedScript {
  /** Runs the script on `client`'s Redis (its key prefix applies to `keys`) and resolves with Redis's reply. */
  run(client: InboxClient, keys: readonly string[], args: readonly ScriptArgument[]): Promise<unknown>;
}

/** Creates the sender of the script `lua`. */
export function encodedScript(lua: string): EncodedScript {
  let sha: string | undefined; // at the first run, not when the module is imported
  return {
    async run(client, keys, args) {
      sha ??= nodeCrypto().createHash("sha1").update(lua).digest("hex");
      try {
        return await send(client, "evalsha", sha, keys, args);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
        return send(client, "eval", lua, keys, args);
      }
    },
  };
}

/** Buffers kept for the next commands, and the bounds on what is kept (a few batches' worth). */
const free: Buffer[] = [];
const FREE_KEPT = 4;
const LARGEST_KEPT = 4 * 1024 * 1024;
const SMALLEST = 64 * 1024;

/**
 * Sends one command and resolves with its reply. Its buffer is used again only once Redis has answered it
 * (a reply, or a reply error): Redis then has every byte, so the socket no longer reads the buffer. After any
 * other failure (the connection lost, ioredis's `commandTimeout`) the buffer is left to the garbage collector.
 */
async function send(client: InboxClient, name: "evalsha" | "eval", script: string, keys: readonly string[], args: readonly ScriptArgument[]): Promise<unknown> {
  const { EncodedCommand, ReplyError } = ioredisParts();
  // ioredis puts its key prefix, if any, on the command's keys: they are written as it left them.
  const command = new EncodedCommand(name, [script, keys.length, ...keys], { keyPrefix: client.options.keyPrefix });
  const buffer = command.encode(args);
  client.sendCommand(command);
  try {
    const reply: unknown = await command.promise;
    release(buffer);
    return reply;
  } catch (error) {
    if (error instanceof ReplyError) release(buffer);
    throw error;
  }
}

/** Keeps `buffer` for the next commands; when enough are kept already, in place of a smaller one. */
function release(buffer: Buffer): void {
  if (buffer.length > LARGEST_KEPT) return;
  if (free.length < FREE_KEPT) {
    free.push(buffer);
    return;
  }
  let smallest = 0;
  free.forEach((kept, i) => {
    if (kept.length < (free[smallest] as Buffer).length) smallest = i;
  });
  if ((free[smallest] as Buffer).length < buffer.length) free[smallest] = buffer;
}

/** A buffer of at least `size` bytes: a kept one, or a new one (a power of two, so that it fits the next ones too). */
function take(size: number): Buffer {
  const index = free.findIndex((buffer) => buffer.length >= size);
  if (index >= 0) return free.splice(index, 1)[0] as Buffer;
  // Slow: a buffer of its own, not a slice of Node's shared pool, since it is kept.
  return Buffer.allocUnsafeSlow(Math.max(SMALLEST, 2 ** Math.ceil(Math.log2(size))));
}

type EncodedCommandClass = new (name: string, args: (string | number)[], options: { keyPrefix: string | undefined }) => RedisCommand & {
  /** Writes the command (its name, its arguments so far, then `args`) and returns the buffer it is written in. */
  encode(args: readonly ScriptArgument[]): Buffer;
};

let parts: { EncodedCommand: EncodedCommandClass; ReplyError: typeof RedisReplyError } | undefined;

/** ioredis's Command, with the command written by {@link encodeCommand}; ioredis is loaded by then (the client is one). */
function ioredisParts(): NonNullable<typeof parts> {
  if (parts !== undefined) return parts;
  const { Command, ReplyError } = require("ioredis") as typeof import("ioredis");
  class EncodedCommand extends Command {
    private writable: Buffer = Buffer.alloc(0);

    encode(args: readonly ScriptArgument[]): Buffer {
      const { buffer, length } = encodeCommand([this.name, ...(this.args as ScriptArgument[]), ...args]);
      this.writable = buffer.subarray(0, length);
      return buffer;
    }

    // The same bytes each time ioredis asks (a command sent again after a reconnection or a cluster redirect).
    override toWritable(): Buffer {
      return this.writable;
    }
  }
  parts = { EncodedCommand, ReplyError };
  return parts;
}

/** Writes `parts` as a Redis command (an array of bulk strings) into a buffer from {@link take}. */
function encodeCommand(parts: readonly ScriptArgument[]): { buffer: Buffer; length: number } {
  const items = parts.map((part) => (typeof part === "number" ? String(part) : part));
  const sizes = items.map((item) => (typeof item === "string" ? Buffer.byteLength(item) : item.length));
  let total = 16;
  for (const size of sizes) total += size + 16;
  const buffer = take(total);
  let at = buffer.write(`*${items.length}\r\n`, 0, "latin1");
  items.forEach((item, i) => {
    at += buffer.write(`$${sizes[i]}\r\n`, at, "latin1");
    at += typeof item === "string" ? buffer.write(item, at, "utf8") : item.copy(buffer, at);
    at += buffer.write("\r\n", at, "latin1");
  });
  return { buffer, length: at };
}
