/**
 * The server side of `npm run bench:http`, in a process of its own (pinned to a core by bench/http-load.ts).
 * `listener`: the callback listener of the built package (default options: in-memory dedup) with a handler
 * that counts each JobId it is handed; `listener-metrics`: the same recording its metrics to an OpenTelemetry
 * SDK MeterProvider that exports every 10 s (to memory), as a service exporting them would. `bare`: node:http doing only JSON.parse of the body, counting its
 * JobId the same way. `inbox REDIS_URL QUEUE`: the listener with a BullMQ inbox on that queue, which answers
 * once Redis has stored the callback and calls no handler (bench/http-worker.ts does); `inbox-shipped REDIS_URL
 * QUEUE`: the same with the inbox as shipped before issue 17 (bench/shipped-inbox.ts); `xadd-floor REDIS_URL
 * STREAM`: the listener with the least a durable inbox on Redis can do (bench/xadd-floor-inbox.ts), counting
 * each JobId once Redis has stored it, as if that were its handling. Each answer carries
 * the request's X-Job-Id back, so that the load generator can match a 2xx answer to a JobId. Sends
 * `{ port }` when listening, then answers the parent as bench/http-child.ts says.
 */
import { createServer, type RequestListener } from "node:http";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type * as InboxModule from "../src/inbox/bullmq-inbox";
import type * as ListenerModule from "../src/receiver/listener";
import { answerParent, countCall } from "./http-child";
import { createShippedInbox } from "./shipped-inbox";
import type * as XaddFloorModule from "./xadd-floor-inbox";

// The built package, as users run it (tsx would wrap every export of src/ in a getter).
const built = join(__dirname, "..", "dist", "src");
const { createCallbackListener } = require(join(built, "receiver", "listener")) as typeof ListenerModule;

const [mode, redisUrl, queueName] = process.argv.slice(2);
const calls = new Map<string, number>();
const closers: (() => Promise<unknown>)[] = [];

function listenerServer(meterProvider?: MeterProvider): RequestListener {
  return createCallbackListener({
    secret: false,
    meterProvider,
    handler: (callback) => {
      // Unknown events are typed beside TaskFinish (their EventName is any text): JobsDetail may then be absent.
      const job = callback.EventName === "TaskFinish" ? callback.JobsDetail?.[0] : undefined;
      if (job !== undefined) countCall(calls, job.JobId);
    },
  });
}

function inboxServer(url: string, queue: string, shipped: boolean): RequestListener {
  const { createCallbackInbox } = require(join(built, "inbox", "bullmq-inbox")) as typeof InboxModule;
  const inbox = shipped ? createShippedInbox(url, queue) : createCallbackInbox({ connection: url, queueName: queue });
  closers.push(() => inbox.close());
  return createCallbackListener({ secret: false, inbox });
}

/** The floor: read the body, JSON.parse it, answer 200. */
const bareServer: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { JobsDetail: [{ JobId: string }] };
    countCall(calls, body.JobsDetail[0].JobId);
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
};

function inner(): RequestListener {
  if (mode === "listener") return listenerServer();
  if (mode === "listener-metrics") {
    const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 10_000 });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    return listenerServer(provider);
  }
  if (mode === "bare") return bareServer;
  if (mode === "xadd-floor" && redisUrl !== undefined && queueName !== undefined) {
    // Required here, not at the top: the other modes run without ioredis loaded, as a listener without an inbox does.
    const { createXaddFloorInbox } = require("./xadd-floor-inbox") as typeof XaddFloorModule;
    const inbox = createXaddFloorInbox(redisUrl, queueName, (jobId) => countCall(calls, jobId));
    closers.push(() => inbox.close());
    return createCallbackListener({ secret: false, inbox });
  }
  if ((mode === "inbox" || mode === "inbox-shipped") && redisUrl !== undefined && queueName !== undefined) return inboxServer(redisUrl, queueName, mode === "inbox-shipped");
  throw new Error("usage: http-server.ts listener|listener-metrics|bare|inbox|inbox-shipped|xadd-floor REDIS_URL QUEUE");
}

const handle = inner();
let answers = 0;
const server = createServer((req, res) => {
  const jobId = req.headers["x-job-id"];
  if (typeof jobId === "string") res.setHeader("x-job-id", jobId);
  res.once("finish", () => answers++);
  handle(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

answerParent({
  calls,
  answers: () => answers,
  close: async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await Promise.all(closers.map((close) => close()));
  },
});
