import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { expect } from "chai";
import { Hono } from "hono";
import { createFetchHandler } from "../../src";
import { exampleText } from "../support/examples";
import { post, postEncoded, postModeration, send, serveServer, type Served } from "../support/http";
import { recordingListener } from "../support/recording-listener";

const seedXml = exampleText("VideoEnhance/seed-2.xml");
const seedJson = exampleText("VideoEnhance/seed-3.json");

describe("receiver: web-standard Request → Response adapter (Hono on @hono/node-server over HTTP)", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function start(app: Hono): Promise<string> {
    // Leave the global Request and Response alone: other tests share this process.
    const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
    served = await serveServer(server);
    return served.origin;
  }

  it("receives XML and JSON and answers 405 to other methods", async () => {
    const { listener, seen } = recordingListener();
    const handle = createFetchHandler(listener);
    const app = new Hono();
    app.all("/ci/callback", (c) => handle(c.req.raw));
    const origin = await start(app);
    expect((await post(`${origin}/ci/callback`, seedXml, "application/xml")).json).to.deep.equal({ ok: true });
    expect((await post(`${origin}/ci/callback`, seedJson, "application/json")).json).to.deep.equal({ ok: true });
    const get = await send(`${origin}/ci/callback`, { method: "GET" });
    expect(get.status).to.equal(405);
    expect(get.headers.allow).to.equal("POST");
    expect(seen).to.have.length(2);
  });

  it("undoes a gzip, deflate or br Content-Encoding", async () => {
    const { listener, seen } = recordingListener();
    const handle = createFetchHandler(listener);
    const app = new Hono();
    app.post("/ci/callback", (c) => handle(c.req.raw));
    const origin = await start(app);
    for (const encoding of ["gzip", "deflate", "br"] as const) {
      expect((await postEncoded(`${origin}/ci/callback`, seedXml, encoding)).json).to.deep.equal({ ok: true });
    }
    expect(seen).to.have.length(3);
  });

  it("passes X-Ci-Content-Version on: a Detail body under a Simple header is refused", async () => {
    const { listener, seen } = recordingListener();
    const handle = createFetchHandler(listener);
    const app = new Hono();
    app.post("/ci/callback", (c) => handle(c.req.raw));
    const origin = await start(app);
    expect((await postModeration(`${origin}/ci/callback`, "Detail")).json).to.deep.equal({ ok: true });
    expect((await postModeration(`${origin}/ci/callback`, "Simple")).status).to.equal(400);
    expect(seen).to.deep.equal(["ReviewText"]);
  });

  it("explains that the raw body is needed when the body was already read", async () => {
    const { listener, seen } = recordingListener();
    const handle = createFetchHandler(listener);
    const app = new Hono();
    app.post("/ci/callback", async (c) => {
      await c.req.json(); // some middleware looked at the body first
      return handle(c.req.raw);
    });
    const origin = await start(app);
    const reply = await post(`${origin}/ci/callback`, seedJson, "application/json");
    expect(reply.status).to.equal(500);
    const error = (reply.json as { error: { kind: string; message: string } }).error;
    expect(error.kind).to.equal("raw-body-required");
    expect(error.message).to.include("needs the raw request body").and.include("request.clone()");
    expect(seen).to.have.length(0);
  });

  it("checks a path secret and answers 413 and 408", async () => {
    const { listener, seen } = recordingListener({ secret: { values: "abc", in: "path" }, maxBytes: 1000, bodyTimeoutMs: 200 });
    const handle = createFetchHandler(listener);
    const app = new Hono();
    app.post("/ci/:secret", (c) => handle(c.req.raw));
    const origin = await start(app);
    expect((await post(`${origin}/ci/nope`, seedXml)).status).to.equal(401);
    expect((await post(`${origin}/ci/abc`, seedXml)).status).to.equal(413);
    expect((await send(`${origin}/ci/abc`, { chunks: ["<Response>", "x".repeat(1200)] })).status).to.equal(413);
    const slow = await send(`${origin}/ci/abc`, { headers: { "content-length": 900 }, chunks: ["<Response>"], end: false });
    expect(slow.status).to.equal(408);
    expect(seen).to.have.length(0);
  });

  it("works on a Request built by hand, as serverless runtimes give it", async () => {
    const { listener, seen } = recordingListener();
    const response = await createFetchHandler(listener)(new Request("https://example.test/ci", { method: "POST", body: seedXml }));
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ ok: true });
    expect(seen).to.have.length(1);
  });
});
