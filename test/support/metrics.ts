/** Metrics as tests read them: the real OpenTelemetry SDK with its in-memory exporter, collected on demand. */
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";

/** What {@link memoryMetrics}' collect returns: each metric's unit and points, by name. */
export type Collected = Map<string, { unit: string; points: DataPoint<unknown>[] }>;

/** A meter provider whose metrics a test reads when it wants, through the SDK's in-memory exporter. */
export function memoryMetrics() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never passes during a test: forceFlush collects.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  /** The data points of each metric, by name, as collected now. */
  async function collect(): Promise<Collected> {
    exporter.reset();
    await reader.forceFlush();
    const found: Collected = new Map();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) found.set(metric.descriptor.name, { unit: metric.descriptor.unit, points: metric.dataPoints });
      }
    }
    return found;
  }
  return { provider, collect, shutdown: () => provider.shutdown() };
}

/** A metric's points as `{ attributes, value }`, sorted by attributes for comparison. */
export function points(found: Collected, name: string) {
  return (found.get(name)?.points ?? [])
    .map((p) => ({ attributes: p.attributes, value: p.value }))
    .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
}
