/**
 * The listener's own CPU per delivery without and with metrics, in one process, for `npm run bench:http`'s
 * metrics section: two listeners of the built package (in-memory dedup, a handler that counts), one recording to
 * an OpenTelemetry SDK MeterProvider (exporting to memory every 10 s), fed the seed JSON with fresh JobIds
 * through `handle()` in alternating rounds, each round's CPU from process.cpuUsage. No sockets, no load
 * generator: what is left is the work metrics add, against the listener's work alone (the HTTP runs add Node's
 * HTTP on both sides, so their ratio is smaller and noisier). Run by bench/http.ts in a process of its own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import type * as ListenerModule from "../src/receiver/listener";
import type * as MetricsModule from "../src/receiver/metrics";

const built = join(__dirname, "..", "dist", "src");
const { createCallbackListener } = require(join(built, "receiver", "listener")) as typeof ListenerModule;
const { createMetrics, eventAttribute } = require(join(built, "receiver", "metrics")) as typeof MetricsModule;

/** Rounds of each listener, and deliveries a round. */
const ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? "15");
const PER_ROUND = 2000;

/**
 * What the parent prints: the median CPU µs per delivery of each listener and the median of the rounds' ratios;
 * and the metrics' own work a delivery (the calls the listener makes, in a loop of their own), in µs.
 */
export interface MetricsCost {
  offUs: number;
  onUs: number;
  ratio: number;
  rounds: number;
  aloneUs: number;
}

/**
 * The CPU µs of what the listener does for metrics on one delivery, timed alone (median of 11 loops): four
 * clock reads, the handlers' histogram (two attributes) and the request's count and histogram.
 */
function metricsAlone(provider: MeterProvider): number {
  const metrics = createMetrics(provider);
  if (metrics === undefined) throw new Error("no metrics");
  const names = ["TaskFinish", "TaskFinish:VideoEnhance"];
  const loops: number[] = [];
  for (let loop = 0; loop < 11; loop++) {
    const start = process.cpuUsage();
    for (let i = 0; i < 100_000; i++) {
      const requestAt = performance.now();
      const handlersAt = performance.now();
      metrics.handler(eventAttribute(names), "success", (performance.now() - handlersAt) / 1000);
      metrics.request(200, eventAttribute(names), (performance.now() - requestAt) / 1000);
    }
    const cpu = process.cpuUsage(start);
    loops.push((cpu.user + cpu.system) / 100_000);
  }
  return median(loops);
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<MetricsCost> {
  const file = join(__dirname, "..", "test", "fixtures", "examples", "VideoEnhance", "seed-3.json");
  const [before, after] = readFileSync(file, "utf8").split("j7d0eafdaf86c11ecbdf419856486c0ab");
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 10_000 });
  const provider = new MeterProvider({ readers: [reader] });
  let handled = 0;
  const handler = (): void => void handled++;
  const listeners = {
    off: createCallbackListener({ secret: false, handler }),
    on: createCallbackListener({ secret: false, handler, meterProvider: provider }),
  };
  let next = 0;
  async function round(listener: ListenerModule.CallbackListener): Promise<number> {
    const bodies = Array.from({ length: PER_ROUND }, () => `${before}bench-${next++}${after}`);
    const start = process.cpuUsage();
    for (const body of bodies) {
      const reply = await listener.handle({ method: "POST", url: "/", contentType: "application/json", contentVersion: undefined, body: async () => body });
      if (reply.status !== 200) throw new Error(`answered ${reply.status}: ${reply.body}`);
    }
    const cpu = process.cpuUsage(start);
    return (cpu.user + cpu.system) / PER_ROUND;
  }
  // Warm-up: both paths compiled before anything counts.
  await round(listeners.off);
  await round(listeners.on);
  const off: number[] = [];
  const on: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const first = i % 2 === 0 ? "off" : "on";
    const a = await round(listeners[first]);
    const b = await round(listeners[first === "off" ? "on" : "off"]);
    const [offUs, onUs] = first === "off" ? [a, b] : [b, a];
    off.push(offUs);
    on.push(onUs);
    ratios.push(onUs / offUs);
  }
  const aloneUs = metricsAlone(provider);
  await provider.shutdown();
  if (handled !== PER_ROUND * (ROUNDS * 2 + 2)) throw new Error(`handled ${handled} deliveries`);
  return { offUs: median(off), onUs: median(on), ratio: median(ratios), rounds: ROUNDS, aloneUs };
}

if (require.main === module) {
  main().then(
    (cost) => process.stdout.write(`${JSON.stringify(cost)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
