import { mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { expect } from "chai";
import type { Page } from "playwright-core";
import { jsonBody, xmlBody } from "../support/bodies";
import { ensureBuilt } from "../support/built";
import { launchChromium } from "../support/chromium";
import { startListen, type ListenProcess } from "../support/cli-process";
import { example, repoRoot } from "../support/examples";
import { post, send, serve, type Served } from "../support/http";

/** Where the test leaves its screenshot (.gitignore'd). */
const artifacts = join(repoRoot, "test", "artifacts");

/** The body of a request a test server received. */
interface Received {
  path: string;
  body: Buffer;
}

/**
 * One session in Chromium, step by step: the page lists what the listener receives, shows a refused body's
 * issues in its tree, replays, saves, filters, runs nothing a body holds, and keeps the last 500.
 */
describe("inspect: listen --inspect in Chromium", function () {
  // Launching Chromium on a loaded machine: waits inside are bound by events, this only stops a hung browser.
  this.timeout(120_000);
  let target: Served;
  const forwarded: Received[] = [];
  let listen: ListenProcess;
  let url: string;
  let inspector: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const dialogs: string[] = [];
  const requests: string[] = [];
  const xml = example("VideoEnhance/seed-2.xml");
  const json = example("VideoEnhance/seed-3.json");
  const invalid = jsonBody({ Tag: "Transcode", State: "Done" });

  before(async () => {
    ensureBuilt();
    target = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        forwarded.push({ path: req.url ?? "", body: Buffer.concat(chunks) });
        res.writeHead(200, { "content-type": "text/plain" }).end(`target got ${forwarded.length}`);
      });
    });
    const started = await startListen("--forward", `${target.origin}/hook`, "--inspect");
    listen = started.process;
    url = started.url;
    inspector = started.inspector as string;
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`${inspector}/`);
    await page.locator("#connection.live").waitFor();
  });

  after(async () => {
    await browser?.close();
    await listen?.stop();
    await target?.close();
  });

  const row = (id: number) => page.locator(`#rows tr[data-id="${id}"]`);
  const select = async (id: number): Promise<void> => {
    await row(id).click();
    await page.locator(`#detail[data-shown="${id}"]`).waitFor();
  };

  it("lists a valid XML, a valid JSON and an invalid callback as they arrive, without a reload", async () => {
    expect((await post(url, xml, "application/xml")).status).to.equal(200);
    expect((await post(url, json, "application/json")).status).to.equal(200);
    expect((await post(url, invalid, "application/json")).status).to.equal(400);
    await row(3).waitFor();
    const cells = async (id: number) => (await row(id).locator("td").allTextContents()).slice(1);
    expect(await cells(1)).to.deep.equal(["200", "TaskFinish", "VideoEnhance", "j7d0eafdaf86c11ecbdf419856486c0ab", "Success"]);
    expect(await cells(2)).to.deep.equal(["200", "TaskFinish", "VideoEnhance", "j7d0eafdaf86c11ecbdf419856486c0ab", "Success"]);
    expect(await cells(3)).to.deep.equal(["400", "TaskFinish", "Transcode", "j1", "Done"]);
    // Newest first.
    expect(await page.locator("#rows tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")))).to.deep.equal(["3", "2", "1"]);
    expect(forwarded.map((f) => f.path)).to.deep.equal(["/hook", "/hook"]);
  });

  it("shows the XML body laid out and its canonical object as a tree", async () => {
    await select(1);
    const body = await page.locator("pre.body").textContent();
    expect(body).to.match(/^<Response>\n {2}<EventName>TaskFinish<\/EventName>\n {2}<JobsDetail>\n {4}<Code>Success<\/Code>\n/);
    expect(await page.locator(".tree-section h3").textContent()).to.equal("Canonical object");
    expect(await page.locator(".tree .leaf", { hasText: "EventName" }).first().textContent()).to.equal('EventName: "TaskFinish"');
    expect(await page.locator(".issues").count()).to.equal(0);
  });

  it("shows a refused body's issues by path, marks each path in the tree, and shows the node on click", async () => {
    await select(3);
    const paths = await page.locator(".issue-path").allTextContents();
    expect(paths).to.include("/JobsDetail/0/State");
    const marked = page.locator(".tree .issue", { hasText: "State" });
    expect(await marked.count()).to.equal(1);
    expect(await marked.textContent()).to.match(/^State: "Done"must be one of Submitted, Running, Success/);
    expect(await page.locator(".tree .issue").count()).to.equal(paths.length);
    await page.locator(".issue-path", { hasText: "/JobsDetail/0/State" }).click();
    await page.locator(".tree .issue.flash", { hasText: "State" }).waitFor();
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "inspector.png") });
  });

  it("replays a callback to the --forward target and shows the answer", async () => {
    await select(1);
    await page.locator("button.replay").click();
    await page.locator(".replay-result[data-status]").waitFor();
    expect(await page.locator(".replay-result").textContent()).to.equal(`Replayed to ${target.origin}/hook: 200\ntarget got 3`);
    expect(forwarded).to.have.length(3);
    expect(forwarded[2].body.equals(xml)).to.equal(true);
  });

  it("saves a callback's raw body as a file, byte for byte", async () => {
    await select(2);
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a.save").click()]);
    expect(download.suggestedFilename()).to.equal("callback-2.json");
    expect(readFileSync(await download.path()).equals(json)).to.equal(true);
  });

  it("filters by Tag, event and validity", async () => {
    const shown = () => page.locator("#rows tr:not([hidden])").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));
    await page.selectOption("#filter-tag", "Transcode");
    expect(await shown()).to.deep.equal(["3"]);
    await page.selectOption("#filter-tag", "VideoEnhance");
    expect(await shown()).to.deep.equal(["2", "1"]);
    await page.selectOption("#filter-tag", "");
    await page.selectOption("#filter-validity", "invalid");
    expect(await shown()).to.deep.equal(["3"]);
    await page.selectOption("#filter-validity", "");
    await page.selectOption("#filter-event", "TaskFinish");
    expect(await shown()).to.deep.equal(["3", "2", "1"]);
    await page.selectOption("#filter-event", "");
    expect(await page.locator("#count").textContent()).to.equal("3 shown of 3 kept (at most 500)");
  });

  it("shows what hostile bodies hold as text and runs none of it: no dialog, no request", async () => {
    const script = "<script>window.ran = 1; fetch('/pwned-script')</script>";
    const img = "<img src=/pwned-img onerror=alert(1)>";
    const hostileJson = JSON.stringify({
      EventName: "TaskFinish",
      JobsDetail: [{ JobId: script, Tag: img, State: "Success", Message: script, Operation: { TemplateId: "<svg onload=alert(2)>" } }],
    });
    const hostileXml = xmlBody(`<Message><![CDATA[${img}]]></Message><Code>&lt;script&gt;alert(3)&lt;/script&gt;</Code>`).replace("<Tag>VideoEnhance</Tag>", `<Tag>${img.replace(/</g, "&lt;").replace(/>/g, "&gt;")}</Tag>`);
    await post(url, hostileJson, "application/json");
    await post(url, hostileXml, "application/xml");
    const before = requests.length;
    await row(5).waitFor();
    expect(await row(4).locator("td.ids").textContent()).to.equal(script);
    expect(await row(4).locator("td.tag").textContent()).to.equal(img);
    await select(4);
    expect(await page.locator(".tree").textContent()).to.include(img);
    expect(await page.locator("pre.body").textContent()).to.include(script);
    await select(5);
    expect(await page.locator(".tree").textContent()).to.include(img);
    await page.selectOption("#filter-tag", img);
    await page.selectOption("#filter-tag", "");
    // The page asked its own server for the two details and nothing else.
    const asked = requests.slice(before).map((r) => r.replace(inspector, ""));
    expect(asked).to.deep.equal(["/api/callbacks/4", "/api/callbacks/5"]);
    expect(dialogs).to.deep.equal([]);
    expect(requests.filter((r) => !r.startsWith(`${inspector}/`))).to.deep.equal([]);
    expect(await page.evaluate("typeof window.ran")).to.equal("undefined");
    expect(await page.locator("#detail img, #detail script, #detail svg, #rows img, select img").count()).to.equal(0);
  });

  it("keeps the last 500 requests: the oldest leave the list and the server", async () => {
    // A page opened now gets the kept requests in one batch, the case where the oldest row once stayed.
    await page.reload();
    await row(5).waitFor();
    // Eight at a time, as CI may deliver them.
    for (let i = 0; i < 496; i += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, k) => post(url, jsonBody({ JobId: `bulk-${i + k}` }), "application/json")));
    }
    await row(501).waitFor();
    await page.locator("#count", { hasText: "500 shown of 500 kept" }).waitFor();
    // Rows are laid out a batch per frame: the oldest leaves once its batch is drawn.
    await row(1).waitFor({ state: "detached" });
    expect(await row(2).count()).to.equal(1);
    expect((await send(`${inspector}/api/callbacks/1`, { method: "GET" })).status).to.equal(404);
    expect((await send(`${inspector}/api/callbacks/2`, { method: "GET" })).status).to.equal(200);
  });

  it("serves a Content-Security-Policy with no inline script, and a page with none", async () => {
    const home = await send(`${inspector}/`, { method: "GET" });
    const csp = String(home.headers["content-security-policy"]);
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.include("default-src 'none'");
    expect(csp).not.to.include("unsafe");
    expect(home.text).to.match(/<script type="module" src="\/inspector.js"><\/script>/);
    expect(home.text.match(/<script/g)).to.have.length(1);
    expect(home.headers["x-content-type-options"]).to.equal("nosniff");
  });

  it("refuses the event stream, details and replay to other origins, and replay other than POST from the page", async () => {
    const evil = { origin: "http://evil.example" };
    expect((await send(`${inspector}/api/events`, { method: "GET", headers: evil })).status).to.equal(403);
    expect((await send(`${inspector}/api/events`, { method: "GET", headers: { "sec-fetch-site": "cross-site" } })).status).to.equal(403);
    expect((await send(`${inspector}/api/callbacks/2`, { method: "GET", headers: { "sec-fetch-site": "same-site" } })).status).to.equal(403);
    const replay = `${inspector}/api/callbacks/2/replay`;
    expect((await send(replay, { method: "POST", headers: evil })).status).to.equal(403);
    expect((await send(replay, { method: "POST" })).status).to.equal(403);
    expect((await send(replay, { method: "GET", headers: { origin: inspector } })).status).to.equal(405);
    const count = forwarded.length;
    expect((await send(replay, { method: "POST", headers: { origin: inspector } })).status).to.equal(200);
    expect(forwarded).to.have.length(count + 1);
    // A name rebound to 127.0.0.1 (DNS rebinding) brings its own Host.
    expect((await send(`${inspector}/`, { method: "GET", headers: { host: "evil.example" } })).status).to.equal(421);
    // From another site in a real browser, even a read that gets no content (no-cors) is blocked (Cross-Origin-Resource-Policy).
    const other = await browser.context.newPage();
    await other.goto(`${url.replace("/ci/callback", "")}/elsewhere`);
    const status = await other.evaluate(async (api) => {
      try {
        return (await fetch(api, { mode: "no-cors" })).type;
      } catch (error) {
        return String(error);
      }
    }, `${inspector}/api/events`);
    expect(status).to.equal("TypeError: Failed to fetch");
    await other.close();
  });

  it("serves the inspector on 127.0.0.1 only, whatever --host says", async () => {
    const wide = await startListen("--host", "0.0.0.0", "--inspect");
    try {
      const listenPort = new URL(wide.url).port;
      const inspectPort = new URL(wide.inspector as string).port;
      // 127.0.0.2 is loopback too: a server bound to every interface answers there, one bound to 127.0.0.1 does not.
      expect((await post(`http://127.0.0.2:${listenPort}/`, jsonBody())).status).to.equal(200);
      expect(await connects("127.0.0.2", Number(inspectPort))).to.equal("ECONNREFUSED");
      expect(await connects("127.0.0.1", Number(inspectPort))).to.equal("connected");
    } finally {
      await wide.process.stop();
    }
  });
});

describe("inspect: replay without --forward", function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  it("sends the body again to the listener itself, on the path it came to, which lists it again; a token shows as ***", async () => {
    const { process: listen, url, inspector } = await startListen("--inspect");
    try {
      const path = "/ci/callback?from=replay-test&token=s3cret";
      const shown = "/ci/callback?from=replay-test&token=***";
      expect((await post(`${new URL(url).origin}${path}`, example("VideoEnhance/seed-2.xml"))).status).to.equal(200);
      const replay = await send(`${inspector}/api/callbacks/1/replay`, { method: "POST", headers: { origin: inspector as string } });
      expect(replay.json).to.deep.equal({ target: `${new URL(url).origin}${shown}`, status: 200, body: '{"ok":true}', error: null });
      const again = await send(`${inspector}/api/callbacks/2`, { method: "GET" });
      const detail = again.json as { summary: { path: string; valid: boolean }; canonical: boolean };
      expect(detail.summary).to.include({ path: shown, valid: true });
      expect(detail.canonical).to.equal(true);
      // The listener printed both requests, the secret hidden.
      const first = await listen.line(/answered POST/);
      await listen.line(/answered POST/, listen.lines.indexOf(first) + 1);
      expect(listen.lines.filter((l) => l.includes("answered POST"))).to.deep.equal([`  answered POST ${shown}: 200`, `  answered POST ${shown}: 200`]);
      expect(listen.lines.join("\n")).not.to.include("s3cret");
    } finally {
      await listen.stop();
    }
  });
});

/** Whether a TCP connection opens: "connected" or the error's code. */
function connects(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
