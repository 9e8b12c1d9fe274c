// The listener's metrics, read with the real OpenTelemetry SDK (an in-memory exporter) from a real listener on
// 127.0.0.1: requests by status and event, the time to the answer, the handlers' time by outcome.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metrics } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { Histogram } from "@opentelemetry/sdk-metrics";
import { expect } from "chai";
import { createCallbackListener, type CallbackListenerOptions } from "../../src";
import { ensureBuilt } from "../support/built";
import { exampleText, repoRoot } from "../support/examples";
import { post, send, serve, type Served } from "../support/http";
import { memoryMetrics, points } from "../support/metrics";

const seedJobId = "j7d0eafdaf86c11ecbdf419856486c0ab";
const seedXml = exampleText("VideoEnhance/seed-2.xml");
const withJobId = (jobId: string): string => seedXml.replaceAll(seedJobId, jobId);

describe("receiver: the listener's metrics (OpenTelemetry SDK)", () => {
  let served: Served | undefined;
  let meters: ReturnType<typeof memoryMetrics>;
  beforeEach(() => {
    meters = memoryMetrics();
  });
  afterEach(async () => {
    await served?.close();
    served = undefined;
    await meters.shutdown();
  });

  async function start(options: CallbackListenerOptions) {
    served = await serve(createCallbackListener({ secret: "s3cret", logger: { error: () => undefined, warn: () => undefined }, ...options }));
    return `${served.origin}/ci/callback?token=s3cret`;
  }

  it("counts requests by status and event and times each answer, in seconds", async () => {
    let fail = false;
    const url = await start({
      meterProvider: meters.provider,
      handler: () => {
        if (fail) throw new Error("boom");
      },
    });
    await post(url, withJobId("m-1"));
    await post(url, withJobId("m-2"));
    await post(url, withJobId("m-1")); // a duplicate, answered 200
    fail = true;
    await post(url, withJobId("m-3"));
    await post(url.replace("s3cret", "wrong"), withJobId("m-4"));
    await send(url, { method: "GET" });
    await post(url, "{}", "application/json");
    const found = await meters.collect();
    expect(points(found, "ci_callback.listener.requests")).to.deep.equal([
      { attributes: { "http.response.status_code": 200, "ci_callback.event": "TaskFinish" }, value: 3 },
      { attributes: { "http.response.status_code": 400 }, value: 1 },
      { attributes: { "http.response.status_code": 401 }, value: 1 },
      { attributes: { "http.response.status_code": 405 }, value: 1 },
      { attributes: { "http.response.status_code": 500, "ci_callback.event": "TaskFinish" }, value: 1 },
    ]);
    const durations = points(found, "ci_callback.listener.duration");
    expect(found.get("ci_callback.listener.duration")?.unit).to.equal("s");
    expect(durations.map((d) => (d.value as Histogram).count).reduce((a, b) => a + b)).to.equal(7);
    for (const d of durations) expect((d.value as Histogram).max).to.be.greaterThan(0).and.lessThan(5);
  });

  it("times the handlers by event and outcome: success, error, timeout", async () => {
    const url = await start({
      meterProvider: meters.provider,
      handlerTimeoutMs: 50,
      handler: async (_callback, context) => {
        const body = String(context.rawBody);
        if (body.includes("h-error")) throw new Error("boom");
        if (body.includes("h-slow")) await new Promise(() => undefined);
      },
    });
    await post(url, withJobId("h-ok-1"));
    await post(url, withJobId("h-ok-2"));
    await post(url, withJobId("h-error"));
    await post(url, withJobId("h-slow"));
    const found = await meters.collect();
    const handler = points(found, "ci_callback.handler.duration").map((p) => ({ ...p.attributes, count: (p.value as Histogram).count, min: (p.value as Histogram).min }));
    expect(handler.map(({ min: _min, ...rest }) => rest)).to.deep.equal([
      { "ci_callback.event": "TaskFinish", "ci_callback.outcome": "error", count: 1 },
      { "ci_callback.event": "TaskFinish", "ci_callback.outcome": "success", count: 2 },
      { "ci_callback.event": "TaskFinish", "ci_callback.outcome": "timeout", count: 1 },
    ]);
    // The timed-out run lasted the timeout, in seconds.
    expect(handler[2]?.min).to.be.at.least(0.045).and.below(5);
  });

  it("records through the global meter provider when no meterProvider is given", async () => {
    metrics.setGlobalMeterProvider(meters.provider);
    try {
      const url = await start({ handler: () => undefined });
      await post(url, withJobId("g-1"));
    } finally {
      metrics.disable();
    }
    const found = await meters.collect();
    expect(points(found, "ci_callback.listener.requests")).to.deep.equal([
      { attributes: { "http.response.status_code": 200, "ci_callback.event": "TaskFinish" }, value: 1 },
    ]);
  });

  it("names an event the package does not know `other`, so a sender cannot grow the series without bound", async () => {
    const url = await start({ meterProvider: meters.provider, handler: () => undefined });
    for (const event of ["NotAnEvent1", "NotAnEvent2"]) {
      const body = JSON.stringify({ code: 0, message: "m", data: { event, trace_id: `t-${event}` } });
      expect((await post(url, body, "application/json")).status).to.equal(200);
    }
    const found = await meters.collect();
    expect(points(found, "ci_callback.listener.requests")).to.deep.equal([
      { attributes: { "http.response.status_code": 200, "ci_callback.event": "other" }, value: 2 },
    ]);
  });

  it("answers as ever and says nothing where @opentelemetry/api is not installed (the built package, copied where it cannot be found)", function () {
    this.timeout(30_000);
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), "ci-callback-no-otel-"));
    try {
      const installed = join(dir, "node_modules", "ci-callback");
      mkdirSync(installed, { recursive: true });
      cpSync(join(repoRoot, "package.json"), join(installed, "package.json"));
      cpSync(join(repoRoot, "dist"), join(installed, "dist"), { recursive: true });
      const script = `
        let found = true;
        try { require.resolve("@opentelemetry/api"); } catch { found = false; }
        const { createCallbackListener } = require("ci-callback");
        const listener = createCallbackListener({ secret: false, handler: () => undefined });
        listener.handle({ method: "POST", url: "/", body: async () => ${JSON.stringify(withJobId("no-otel"))} })
          .then((reply) => console.log(JSON.stringify({ found, status: reply.status })));`;
      const run = spawnSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
      expect({ stdout: run.stdout.trim(), stderr: run.stderr }).to.deep.equal({ stdout: JSON.stringify({ found: false, status: 200 }), stderr: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is scraped by Prometheus through @opentelemetry/exporter-prometheus, under the names the README gives", async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ readers: [exporter] });
    const scrape = await serve((req, res) => exporter.getMetricsRequestHandler(req, res));
    try {
      const url = await start({ meterProvider: provider, handler: () => undefined });
      await post(url, withJobId("prom-1"));
      await send(url, { method: "GET" });
      const text = (await send(`${scrape.origin}/metrics`, { method: "GET" })).text;
      expect(text).to.match(/^ci_callback_listener_requests_total\{http_response_status_code="200",ci_callback_event="TaskFinish"[^}]*\} 1$/m);
      expect(text).to.match(/^ci_callback_listener_requests_total\{http_response_status_code="405"[^}]*\} 1$/m);
      expect(text).to.match(/^ci_callback_listener_duration_count\{[^}]*\} 2$/m);
      expect(text).to.match(/^ci_callback_handler_duration_count\{ci_callback_event="TaskFinish",ci_callback_outcome="success"[^}]*\} 1$/m);
    } finally {
      await scrape.close();
      await provider.shutdown();
    }
  });
});
