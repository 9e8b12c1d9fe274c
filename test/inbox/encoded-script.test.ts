import { expect } from "chai";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { Redis } from "ioredis";
import { encodedScript } from "../../src/inbox/encoded-script";
import { startRedisServer, type RedisServer } from "../support/redis-server";

/** Answers its keys and arguments as it got them. */
const ECHO_LUA = "local out = {} for i = 1, #KEYS do out[#out + 1] = KEYS[i] end for i = 1, #ARGV do out[#out + 1] = ARGV[i] end return out";
const ECHO = encodedScript(ECHO_LUA);

/** Answers the length of its first argument and its first and last 16 bytes. */
const ENDS = encodedScript("local s = ARGV[1] return { #s, string.sub(s, 1, 16), string.sub(s, -16) }");

describe("inbox: scripts sent written in a reused buffer (real redis-server)", function () {
  this.timeout(30_000);
  let server: RedisServer;
  const clients: Redis[] = [];

  before(async () => {
    server = await startRedisServer();
  });

  after(async () => {
    for (const client of clients) client.disconnect();
    await server.remove();
  });

  function client(options: { keyPrefix?: string } = {}, port = server.port): Redis {
    const made = new Redis(port, "127.0.0.1", options);
    clients.push(made);
    return made;
  }

  it("sends keys and arguments byte for byte: text as UTF-8, bytes as they are, numbers as decimals; ioredis's key prefix on the keys", async () => {
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x24]);
    const reply = (await ECHO.run(client({ keyPrefix: "p:" }), ["k1", "键"], ["数据万象 \u{1F600}", notUtf8, 42, "", Buffer.alloc(0)])) as Buffer[];
    expect(reply.map((part) => part.toString("hex"))).to.deep.equal(
      [Buffer.from("p:k1"), Buffer.from("p:键"), Buffer.from("数据万象 \u{1F600}"), notUtf8, Buffer.from("42"), Buffer.alloc(0), Buffer.alloc(0)].map((part) => part.toString("hex")),
    );
  });

  it("runs the script with EVAL when Redis does not have it (SCRIPT FLUSH), then with EVALSHA again", async () => {
    const redis = client();
    await redis.script("FLUSH");
    expect(((await ECHO.run(redis, [], ["after a flush"])) as Buffer[]).map(String)).to.deep.equal(["after a flush"]);
    expect(await redis.script("EXISTS", createHash("sha1").update(ECHO_LUA).digest("hex"))).to.deep.equal([1]);
    expect(((await ECHO.run(redis, [], ["again"])) as Buffer[]).map(String)).to.deep.equal(["again"]);
  });

  it("keeps each command's bytes its own while many wait in the socket, and after a reply error", async () => {
    // The client reaches Redis through a relay that stops reading while the commands are sent: they wait in
    // the socket, their buffers still to be written, while the next commands are encoded.
    const relay = await startRelay(server.port);
    const redis = client({}, relay.port);
    await redis.ping();
    const bodies = (wave: number) => Array.from({ length: 12 }, (_, i) => Buffer.alloc(1_000_000 + 997 * i, `${wave}-${i}|`));
    try {
      for (const wave of [1, 2, 3]) {
        const sent = bodies(wave);
        relay.hold();
        const replying = Promise.all(sent.map((body) => ENDS.run(redis, [], [body])));
        expect(redis.stream.writableLength).to.be.above(1_000_000);
        relay.release();
        const replies = (await replying) as [number, Buffer, Buffer][];
        replies.forEach(([length, first, last], i) => {
          const body = sent[i] as Buffer;
          expect([length, first.toString(), last.toString()]).to.deep.equal([body.length, body.subarray(0, 16).toString(), body.subarray(-16).toString()]);
        });
        const failing = encodedScript(`return redis.error_reply("wave ${wave} refused")`);
        let refused: unknown;
        await failing.run(redis, [], [Buffer.alloc(200_000, 1)]).catch((error: unknown) => (refused = error));
        expect(refused).to.be.an("error").with.property("message", `wave ${wave} refused`);
      }
    } finally {
      redis.disconnect();
      await relay.close();
    }
  });
});

/** A TCP relay to Redis on `port` that can stop reading from its clients for a while. */
async function startRelay(port: number): Promise<{ port: number; hold(): void; release(): void; close(): Promise<void> }> {
  const clients = new Set<Socket>();
  let held = false;
  const relay = createServer((incoming) => {
    clients.add(incoming);
    if (held) incoming.pause();
    const outgoing = createConnection(port, "127.0.0.1");
    incoming.pipe(outgoing).pipe(incoming);
    incoming.on("close", () => {
      clients.delete(incoming);
      outgoing.destroy();
    });
    outgoing.on("error", () => incoming.destroy());
    incoming.on("error", () => outgoing.destroy());
  });
  relay.listen(0, "127.0.0.1");
  await once(relay, "listening");
  return {
    port: (relay.address() as AddressInfo).port,
    hold() {
      held = true;
      for (const socket of clients) socket.pause();
    },
    release() {
      held = false;
      for (const socket of clients) socket.resume();
    },
    close: async () => {
      for (const socket of clients) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}
