import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import { createFastifyHandler, fastifyCallbackPlugin } from "../../src";
import { exampleText } from "../support/examples";
import { post, postEncoded, postModeration, send } from "../support/http";
import { recordingListener } from "../support/recording-listener";

const seedXml = exampleText("VideoEnhance/seed-2.xml");
const seedJson = exampleText("VideoEnhance/seed-3.json");

describe("receiver: Fastify adapter (fastify 5 over HTTP)", () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(setup: (app: FastifyInstance) => void): Promise<string> {
    app = Fastify();
    setup(app);
    return app.listen({ host: "127.0.0.1", port: 0 });
  }

  it("receives XML, JSON and a body without Content-Type through the plugin", async () => {
    const { listener, seen } = recordingListener();
    const origin = await start((a) => void a.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" }));
    const url = `${origin}/ci/callback`;
    expect((await post(url, seedXml, "application/xml")).json).to.deep.equal({ ok: true });
    expect((await post(url, seedJson, "application/json")).json).to.deep.equal({ ok: true });
    expect((await post(url, seedXml)).json).to.deep.equal({ ok: true });
    expect((await post(url, seedXml, "text/plain")).json).to.deep.equal({ ok: true });
    expect(seen).to.have.length(4);
  });

  it("undoes a gzip, deflate or br Content-Encoding, and answers 415 to another", async () => {
    const { listener, seen } = recordingListener();
    const origin = await start((a) => void a.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" }));
    for (const encoding of ["gzip", "deflate", "br"] as const) {
      expect((await postEncoded(`${origin}/ci/callback`, seedXml, encoding)).json).to.deep.equal({ ok: true });
    }
    const zstd = await send(`${origin}/ci/callback`, { headers: { "content-encoding": "zstd" }, chunks: [seedXml] });
    expect(zstd.status).to.equal(415);
    expect(seen).to.have.length(3);
  });

  it("passes X-Ci-Content-Version on: a Detail body under a Simple header is refused", async () => {
    const { listener, seen } = recordingListener();
    const origin = await start((a) => void a.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" }));
    expect((await postModeration(`${origin}/ci/callback`, "Detail")).json).to.deep.equal({ ok: true });
    expect((await postModeration(`${origin}/ci/callback`, "Simple")).status).to.equal(400);
    expect(seen).to.deep.equal(["ReviewText"]);
  });

  it("keeps the raw-body parser to its own route: other routes still get parsed JSON", async () => {
    const { listener } = recordingListener();
    const origin = await start((a) => {
      void a.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" });
      a.post("/echo", async (request) => ({ parsed: request.body }));
    });
    const reply = await post(`${origin}/echo`, '{"a":1}', "application/json");
    expect(reply.json).to.deep.equal({ parsed: { a: 1 } });
  });

  it("answers 405, 401, 400 and 413 as the listener does", async () => {
    const { listener, seen } = recordingListener({ secret: "t0ken", maxBytes: 2000 });
    const origin = await start((a) => void a.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" }));
    const url = `${origin}/ci/callback`;
    const get = await send(`${url}?token=t0ken`, { method: "GET" });
    expect(get.status).to.equal(405);
    expect(get.headers.allow).to.equal("POST");
    expect((await post(url, seedXml)).status).to.equal(401);
    const invalid = await post(`${url}?token=t0ken`, "<Response><EventName>TaskFinish</EventName></Response>", "application/xml");
    expect(invalid.status).to.equal(400);
    expect((invalid.json as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).to.include("/JobsDetail");
    const big = await post(`${url}?token=t0ken`, seedXml, "application/xml");
    expect(big.status).to.equal(413);
    expect((big.json as { error: { kind: string } }).error.kind).to.equal("limit");
    expect(seen).to.have.length(0);
  });

  it("answers 408 to a body that does not arrive in time", async () => {
    const { listener } = recordingListener({ bodyTimeoutMs: 200 });
    const origin = await start((a) => void a.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" }));
    const reply = await send(`${origin}/ci/callback`, {
      headers: { "content-type": "application/xml", "content-length": 5000 },
      chunks: [seedXml.slice(0, 100)],
      end: false,
    });
    expect(reply.status).to.equal(408);
  });

  it("explains that the raw body is needed when Fastify's JSON parser already ran", async () => {
    const { listener, seen } = recordingListener();
    const origin = await start((a) => void a.post("/ci/callback", createFastifyHandler(listener)));
    const reply = await post(`${origin}/ci/callback`, seedJson, "application/json");
    expect(reply.status).to.equal(500);
    const error = (reply.json as { error: { kind: string; message: string } }).error;
    expect(error.kind).to.equal("raw-body-required");
    expect(error.message).to.include("needs the raw request body").and.include("fastifyCallbackPlugin");
    expect(seen).to.have.length(0);
  });
});
