import { createServer } from "node:http";
import { bodyParser } from "@koa/bodyparser";
import { expect } from "chai";
import Koa from "koa";
import { createKoaMiddleware } from "../../src";
import { exampleText } from "../support/examples";
import { post, postEncoded, postModeration, send, serveServer, type Served } from "../support/http";
import { recordingListener } from "../support/recording-listener";

const seedXml = exampleText("VideoEnhance/seed-2.xml");
const seedJson = exampleText("VideoEnhance/seed-3.json");

describe("receiver: Koa adapter (koa 3 over HTTP)", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function start(app: Koa): Promise<string> {
    served = await serveServer(createServer(app.callback()));
    return served.origin;
  }

  it("receives XML and JSON on its path and passes other requests on", async () => {
    const { listener, seen } = recordingListener();
    const app = new Koa();
    app.use(createKoaMiddleware(listener, { path: "/ci/callback" }));
    app.use((ctx) => {
      ctx.body = "other";
    });
    const origin = await start(app);
    expect((await post(`${origin}/ci/callback`, seedXml, "application/xml")).json).to.deep.equal({ ok: true });
    expect((await post(`${origin}/ci/callback`, seedJson, "application/json")).json).to.deep.equal({ ok: true });
    expect((await send(`${origin}/elsewhere`, { method: "GET" })).text).to.equal("other");
    const get = await send(`${origin}/ci/callback`, { method: "GET" });
    expect(get.status).to.equal(405);
    expect(get.headers["content-type"]).to.match(/^application\/json/);
    expect(seen).to.have.length(2);
  });

  it("undoes a gzip, deflate or br Content-Encoding of the stream", async () => {
    const { listener, seen } = recordingListener();
    const app = new Koa();
    app.use(createKoaMiddleware(listener, { path: "/ci/callback" }));
    const origin = await start(app);
    for (const encoding of ["gzip", "deflate", "br"] as const) {
      expect((await postEncoded(`${origin}/ci/callback`, seedXml, encoding)).json).to.deep.equal({ ok: true });
    }
    expect(seen).to.have.length(3);
  });

  it("passes X-Ci-Content-Version on: a Detail body under a Simple header is refused", async () => {
    const { listener, seen } = recordingListener();
    const app = new Koa();
    app.use(createKoaMiddleware(listener, { path: "/ci/callback" }));
    const origin = await start(app);
    expect((await postModeration(`${origin}/ci/callback`, "Detail")).json).to.deep.equal({ ok: true });
    expect((await postModeration(`${origin}/ci/callback`, "Simple")).status).to.equal(400);
    expect(seen).to.deep.equal(["ReviewText"]);
  });

  it("uses the raw text @koa/bodyparser keeps when it ran first, and the stream when it skipped the type", async () => {
    const { listener, seen } = recordingListener();
    const app = new Koa();
    app.use(bodyParser());
    app.use(createKoaMiddleware(listener, { path: "/ci/callback" }));
    const origin = await start(app);
    expect((await post(`${origin}/ci/callback`, seedJson, "application/json")).json).to.deep.equal({ ok: true });
    // XML is not a type it parses: the stream is left unread and the middleware reads it.
    expect((await post(`${origin}/ci/callback`, seedXml, "application/xml")).json).to.deep.equal({ ok: true });
    expect(seen).to.have.length(2);
  });

  it("explains that the raw body is needed when a parser kept only the parsed object", async () => {
    const { listener, seen } = recordingListener();
    const app = new Koa();
    // A parser that keeps no raw text, as koa-body does by default.
    app.use(async (ctx, next) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      (ctx.request as unknown as { body: unknown }).body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      await next();
    });
    app.use(createKoaMiddleware(listener));
    const origin = await start(app);
    const reply = await post(`${origin}/ci/callback`, seedJson, "application/json");
    expect(reply.status).to.equal(500);
    const error = (reply.json as { error: { kind: string; message: string } }).error;
    expect(error.kind).to.equal("raw-body-required");
    expect(error.message).to.include("needs the raw request body").and.include("@koa/bodyparser");
    expect(seen).to.have.length(0);
  });

  it("checks a query secret against the original URL and applies the size limit", async () => {
    const { listener, seen } = recordingListener({ secret: "q", maxBytes: 100 });
    const app = new Koa();
    app.use(createKoaMiddleware(listener));
    const origin = await start(app);
    expect((await post(`${origin}/ci?token=nope`, seedXml)).status).to.equal(401);
    const big = await post(`${origin}/ci?token=q`, seedXml);
    expect(big.status).to.equal(413);
    expect(big.headers.connection).to.equal("close");
    expect(seen).to.have.length(0);
  });
});
