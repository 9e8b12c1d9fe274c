import { createServer } from "node:http";
import { expect } from "chai";
import express from "express";
import { createExpressHandler } from "../../src";
import { exampleText } from "../support/examples";
import { post, postEncoded, postModeration, send, serveServer, type Served } from "../support/http";
import { recordingListener } from "../support/recording-listener";

const seedXml = exampleText("VideoEnhance/seed-2.xml");
const seedJson = exampleText("VideoEnhance/seed-3.json");

describe("receiver: Express adapter (express 5 over HTTP)", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  /** A listener whose handler counts calls, and its error reports. */
  async function start(app: express.Express): Promise<string> {
    served = await serveServer(createServer(app));
    return served.origin;
  }

  it("receives XML and JSON on a route registered before any body parser", async () => {
    const { listener, seen } = recordingListener();
    const app = express();
    app.post("/ci/callback", createExpressHandler(listener));
    app.use(express.json());
    const origin = await start(app);
    expect((await post(`${origin}/ci/callback`, seedXml, "application/xml")).json).to.deep.equal({ ok: true });
    expect((await post(`${origin}/ci/callback`, seedJson, "application/json")).json).to.deep.equal({ ok: true });
    expect(seen).to.deep.equal(["TaskFinish", "TaskFinish"]);
  });

  it("undoes a gzip, deflate or br Content-Encoding, and leaves it to express.raw() when that ran first", async () => {
    const { listener, seen } = recordingListener();
    const app = express();
    app.post("/ci/callback", createExpressHandler(listener));
    app.post("/raw", express.raw({ type: "*/*" }), createExpressHandler(listener));
    const origin = await start(app);
    for (const encoding of ["gzip", "deflate", "br"] as const) {
      expect((await postEncoded(`${origin}/ci/callback`, seedXml, encoding)).json).to.deep.equal({ ok: true });
    }
    expect((await postEncoded(`${origin}/raw`, seedXml, "gzip")).json).to.deep.equal({ ok: true });
    expect(seen).to.have.length(4);
  });

  it("passes X-Ci-Content-Version on: a Detail body under a Simple header is refused", async () => {
    const { listener, seen } = recordingListener();
    const app = express();
    app.post("/ci/callback", createExpressHandler(listener));
    const origin = await start(app);
    expect((await postModeration(`${origin}/ci/callback`, "Detail")).json).to.deep.equal({ ok: true });
    expect((await postModeration(`${origin}/ci/callback`, "Simple")).status).to.equal(400);
    expect(seen).to.deep.equal(["ReviewText"]);
  });

  it("explains that the raw body is needed when express.json() already parsed it", async () => {
    const { listener, seen, errors } = recordingListener();
    const app = express();
    app.use(express.json());
    app.post("/ci/callback", createExpressHandler(listener));
    const origin = await start(app);
    const reply = await post(`${origin}/ci/callback`, seedJson, "application/json");
    expect(reply.status).to.equal(500);
    const error = (reply.json as { error: { kind: string; message: string } }).error;
    expect(error.kind).to.equal("raw-body-required");
    expect(error.message).to.include("needs the raw request body").and.include("express.json()").and.include("express.raw(");
    expect(errors.map((e) => e.context.stage)).to.deep.equal(["body"]);
    expect(seen).to.have.length(0);
    // A Content-Type that express.json() skips leaves the stream unread, and the adapter reads it.
    expect((await post(`${origin}/ci/callback`, seedXml, "application/xml")).status).to.equal(200);
  });

  it("takes the Buffer that express.raw() left", async () => {
    const { listener, seen } = recordingListener();
    const app = express();
    app.post("/ci/callback", express.raw({ type: "*/*" }), createExpressHandler(listener));
    const origin = await start(app);
    expect((await post(`${origin}/ci/callback`, seedJson, "application/json")).status).to.equal(200);
    expect(seen).to.have.length(1);
  });

  it("reads a path secret from the original URL under a mounted router, and answers 401 and 405", async () => {
    const { listener, seen } = recordingListener({ secret: { values: "p4th", in: "path" } });
    const router = express.Router();
    router.all("/ci/:secret", createExpressHandler(listener));
    const app = express();
    app.use("/hooks", router);
    const origin = await start(app);
    expect((await post(`${origin}/hooks/ci/p4th`, seedXml)).status).to.equal(200);
    expect((await post(`${origin}/hooks/ci/wrong`, seedXml)).status).to.equal(401);
    expect((await send(`${origin}/hooks/ci/p4th`, { method: "GET" })).status).to.equal(405);
    expect(seen).to.have.length(1);
  });

  it("applies the listener's size limit (413)", async () => {
    const { listener } = recordingListener({ maxBytes: 100 });
    const app = express();
    app.post("/ci/callback", createExpressHandler(listener));
    const origin = await start(app);
    expect((await post(`${origin}/ci/callback`, seedXml)).status).to.equal(413);
    expect((await send(`${origin}/ci/callback`, { chunks: [seedXml.slice(0, 80), seedXml.slice(80, 200)] })).status).to.equal(413);
  });
});
