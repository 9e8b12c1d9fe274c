/**
 * The server side of `npm run bench:http`, run in a child process so the load generator has its own core.
 * `listener`: the callback listener (default options: in-memory dedup) with a handler that counts each
 * JobId it is handed. `bare`: node:http doing only JSON.parse of the body. Talks to the parent over IPC:
 * sends `{ port }` when listening, answers `"calls"` with the handler's counts.
 */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { createCallbackListener } from "../src";

const mode = process.argv[2];
const calls = new Map<string, number>();

function listenerServer(): RequestListener {
  return createCallbackListener({
    secret: false,
    handler: (callback) => {
      if (callback.EventName !== "TaskFinish") return;
      const id = callback.JobsDetail[0].JobId;
      calls.set(id, (calls.get(id) ?? 0) + 1);
    },
  });
}

/** The floor: read the body, JSON.parse it, answer 200. */
const bareServer: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    JSON.parse(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
};

if (mode !== "listener" && mode !== "bare") throw new Error("usage: http-server.ts listener|bare");
const server = createServer(mode === "listener" ? listenerServer() : bareServer);
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("message", (message) => {
  if (message === "calls") process.send?.({ calls: [...calls] });
  if (message === "stop") server.close(() => process.exit(0));
});
