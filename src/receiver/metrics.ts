/**
 * The package's metrics, on OpenTelemetry: recorded through the `meterProvider` option of the listener, the
 * inbox or the worker, else through the global one of `@opentelemetry/api` (an optional peer dependency, loaded
 * on first use). Without either nothing is recorded and nothing is loaded. The instruments are made with the
 * first value, so a provider registered after the listener was made, before its first request, is the one used.
 */
import type * as OtelApi from "@opentelemetry/api";
import { knownCiCallbackEventNames, knownModerationDetailCallbackEventNames } from "../../generated/unions";

/** Attributes of a recorded value. */
export type MetricAttributes = Record<string, string | number>;

/** What an instrument is made with. */
export interface InstrumentOptions {
  /** What it measures. */
  description?: string;
  /** Its unit, UCUM (`s`, `{request}`). */
  unit?: string;
  /** Histogram buckets. */
  advice?: { explicitBucketBoundaries?: number[] };
}

/** The part of OpenTelemetry's `ObservableResult` the package uses. */
export interface ObservableResultLike {
  /** Reports the value observed. */
  observe(value: number, attributes?: MetricAttributes): void;
}

/** The part of OpenTelemetry's observable instruments the package uses. */
export interface ObservableLike {
  /** Reads the value at each collection. */
  addCallback(callback: (result: ObservableResultLike) => void | Promise<void>): void;
  /** Stops reading it. */
  removeCallback(callback: (result: ObservableResultLike) => void | Promise<void>): void;
}

/** The part of OpenTelemetry's `Meter` the package uses. */
export interface MeterLike {
  /** A monotonic sum. */
  createCounter(name: string, options?: InstrumentOptions): {
    /** Adds `value` to the counter, under `attributes`. */
    add(value: number, attributes?: MetricAttributes): void;
  };
  /** A distribution of values. */
  createHistogram(name: string, options?: InstrumentOptions): {
    /** Records one measurement, under `attributes`. */
    record(value: number, attributes?: MetricAttributes): void;
  };
  /** A monotonic sum read when the metrics are collected. */
  createObservableCounter(name: string, options?: InstrumentOptions): ObservableLike;
  /** A value read when the metrics are collected. */
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike;
}

/**
 * The part of OpenTelemetry's `MeterProvider` the package uses: an `@opentelemetry/sdk-metrics`
 * `MeterProvider`, or `metrics.getMeterProvider()` of `@opentelemetry/api`, fits as it is.
 */
export interface MeterProviderLike {
  /** The meter of an instrumentation scope (the package asks for `ci-callback`). */
  getMeter(name: string): MeterLike;
}

/** How a delivery's (or a job attempt's) handlers ended. */
export type HandlerOutcome = "success" | "error" | "timeout";

/** What the inbox's gauges read. */
export interface InboxGaugeReading {
  /** Callbacks stored and not yet taken by a worker. */
  waiting: number;
  /** Age of the oldest of them, in ms; 0 when none waits. */
  oldestWaitingMs: number;
}

/** The package's instruments, made on first use. */
export interface CallbackMetrics {
  /**
   * A request answered: counted by its status and event (when known); the time to the answer, in seconds, goes
   * to a histogram without attributes (each attribute set costs the SDK a hash a request).
   */
  request(status: number, event: string | undefined, seconds: number): void;
  /** A run of the handlers (on the listener or one worker attempt), in seconds. */
  handler(event: string | undefined, outcome: HandlerOutcome, seconds: number): void;
  /** A worker attempt ended. */
  attempt(outcome: HandlerOutcome): void;
  /**
   * Reports the inbox's waiting callbacks and the oldest one's age at each collection, read by `read`; the
   * gauges are registered now, with the provider there is now. Returns what stops them (the inbox closed).
   */
  observeInbox(queueName: string, read: () => Promise<InboxGaugeReading>): () => void;
}

/** Seconds: from a fraction of a millisecond (an in-process delivery) to past the default handler timeout. */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

let otelApi: typeof OtelApi | null | undefined;

/** `@opentelemetry/api`, required on first call; undefined when it is not installed. */
function loadOtelApi(): typeof OtelApi | undefined {
  if (otelApi === undefined) {
    try {
      otelApi = require("@opentelemetry/api") as typeof OtelApi;
    } catch {
      // Not installed, or not loadable here (an ESM bundle that left it out throws "Dynamic require"): no metrics.
      otelApi = null;
    }
  }
  return otelApi ?? undefined;
}

/**
 * The metrics of a listener, inbox or worker made with `meterProvider` (undefined: the global one). Undefined
 * when there is none to record to (no option, `@opentelemetry/api` not installed): the callers then skip the
 * clock too.
 */
export function createMetrics(meterProvider: MeterProviderLike | undefined): CallbackMetrics | undefined {
  const api = meterProvider === undefined ? loadOtelApi() : undefined;
  if (meterProvider === undefined && api === undefined) return undefined;
  // The global provider is read when the first instrument is made, not now.
  const meter = (): MeterLike => (meterProvider ?? (api as typeof OtelApi).metrics.getMeterProvider()).getMeter("ci-callback");
  let made: ReturnType<typeof makeInstruments> | undefined;
  const instruments = (): ReturnType<typeof makeInstruments> => (made ??= makeInstruments(meter()));
  return {
    request(status, event, seconds) {
      const { requests, listenerDuration } = instruments();
      requests.count(status, event);
      listenerDuration.record(seconds);
    },
    handler(event, outcome, seconds) {
      const attributes: MetricAttributes = event === undefined ? { "ci_callback.outcome": outcome } : { "ci_callback.event": event, "ci_callback.outcome": outcome };
      instruments().handlerDuration.record(seconds, attributes);
    },
    attempt(outcome) {
      instruments().attempts.add(1, { "ci_callback.outcome": outcome });
    },
    observeInbox(queueName, read) {
      const gauges = meter();
      const attributes = { "ci_callback.queue": queueName };
      // One read per collection serves both gauges.
      let reading: { at: number; value: Promise<InboxGaugeReading | undefined> } | undefined;
      const current = (): Promise<InboxGaugeReading | undefined> => {
        const now = Date.now();
        if (reading === undefined || now - reading.at > 1000) reading = { at: now, value: read().catch(() => undefined) };
        return reading.value;
      };
      const waiting = gauges.createObservableGauge("ci_callback.inbox.waiting", { description: "Callbacks stored in the inbox and not yet taken by a worker", unit: "{callback}" });
      const age = gauges.createObservableGauge("ci_callback.inbox.oldest_waiting_age", { description: "Age of the oldest callback waiting in the inbox", unit: "s" });
      const observeWaiting = async (result: ObservableResultLike): Promise<void> => {
        const value = await current();
        if (value !== undefined) result.observe(value.waiting, attributes);
      };
      const observeAge = async (result: ObservableResultLike): Promise<void> => {
        const value = await current();
        if (value !== undefined) result.observe(value.oldestWaitingMs / 1000, attributes);
      };
      waiting.addCallback(observeWaiting);
      age.addCallback(observeAge);
      return () => {
        waiting.removeCallback(observeWaiting);
        age.removeCallback(observeAge);
      };
    },
  };
}

function makeInstruments(meter: MeterLike) {
  const advice = { explicitBucketBoundaries: SECONDS_BUCKETS };
  const requests = new RequestCounts();
  meter
    .createObservableCounter("ci_callback.listener.requests", { description: "Requests answered by the callback listener", unit: "{request}" })
    .addCallback((result) => requests.report(result));
  return {
    requests,
    listenerDuration: meter.createHistogram("ci_callback.listener.duration", { description: "Time from a request to the listener's answer", unit: "s", advice }),
    handlerDuration: meter.createHistogram("ci_callback.handler.duration", { description: "Time the handlers of one callback ran", unit: "s", advice }),
    attempts: meter.createCounter("ci_callback.worker.attempts", { description: "Attempts the inbox worker made to handle a callback", unit: "{attempt}" }),
  };
}

/**
 * The requests counter, summed here and read by the SDK at each collection: a Map lookup a request instead of
 * the SDK's hashing of the attributes (about 1 µs), the cost docs/decisions/0013-logs-and-metrics.md measures.
 */
class RequestCounts {
  /** By event ("" when unknown), then by status. */
  private readonly counts = new Map<string, Map<number, { attributes: MetricAttributes; value: number }>>();

  count(status: number, event: string | undefined): void {
    let byStatus = this.counts.get(event ?? "");
    if (byStatus === undefined) this.counts.set(event ?? "", (byStatus = new Map()));
    const entry = byStatus.get(status);
    if (entry !== undefined) entry.value++;
    else byStatus.set(status, { attributes: event === undefined ? { "http.response.status_code": status } : { "http.response.status_code": status, "ci_callback.event": event }, value: 1 });
  }

  report(result: ObservableResultLike): void {
    for (const byStatus of this.counts.values()) for (const { attributes, value } of byStatus.values()) result.observe(value, attributes);
  }
}

let knownEvents: ReadonlySet<string> | undefined;

/**
 * The `ci_callback.event` attribute of a callback dispatched under `names`: its event when the package knows
 * it, `other` when not (a Simple body may name any event, and each value is a time series kept in memory).
 */
export function eventAttribute(names: readonly string[]): string | undefined {
  const name = names[0];
  if (name === undefined) return undefined;
  knownEvents ??= new Set<string>([...knownCiCallbackEventNames, ...knownModerationDetailCallbackEventNames]);
  return knownEvents.has(name) ? name : "other";
}
