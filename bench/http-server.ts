/**
 * The server side of `npm run bench:http`, in a process of its own (pinned to a core by bench/http.ts).
 * `listener`: the callback listener of the built package (default options: in-memory dedup) with a handler
 * that counts each JobId it is handed. `bare`: node:http doing only JSON.parse of the body, counting its
 * JobId the same way. Each answer carries the request's X-Job-Id back, so that the load generator can match
 * a 2xx answer to a JobId. Talks to the parent over IPC: sends `{ port }` when listening; answers
 * `"window-start"`/`"window-stop"` with its own CPU time (process.cpuUsage) and answers over the window, and
 * `"calls"` with the handler's counts.
 */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type * as ListenerModule from "../src/receiver/listener";

// The built package, as users run it (tsx would wrap every export of src/ in a getter).
const { createCallbackListener } = require(join(__dirname, "..", "dist", "src", "receiver", "listener")) as typeof ListenerModule;

const mode = process.argv[2];
const calls = new Map<string, number>();

function count(id: string): void {
  calls.set(id, (calls.get(id) ?? 0) + 1);
}

function listenerServer(): RequestListener {
  return createCallbackListener({
    secret: false,
    handler: (callback) => {
      if (callback.EventName === "TaskFinish") count(callback.JobsDetail[0].JobId);
    },
  });
}

/** The floor: read the body, JSON.parse it, answer 200. */
const bareServer: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { JobsDetail: [{ JobId: string }] };
    count(body.JobsDetail[0].JobId);
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
};

if (mode !== "listener" && mode !== "bare") throw new Error("usage: http-server.ts listener|bare");
const inner = mode === "listener" ? listenerServer() : bareServer;
let answers = 0;
const server = createServer((req, res) => {
  const jobId = req.headers["x-job-id"];
  if (typeof jobId === "string") res.setHeader("x-job-id", jobId);
  res.once("finish", () => answers++);
  inner(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

let window = { cpu: process.cpuUsage(), answers: 0 };
process.on("message", (message) => {
  if (message === "window-start") {
    window = { cpu: process.cpuUsage(), answers };
    process.send?.({});
  }
  if (message === "window-stop") {
    const cpu = process.cpuUsage(window.cpu);
    process.send?.({ cpuUs: cpu.user + cpu.system, answers: answers - window.answers });
  }
  if (message === "calls") process.send?.({ calls: [...calls] });
  if (message === "stop") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
