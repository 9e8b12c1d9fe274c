/**
 * `ci-callback listen`: a development receiver. It runs the callback listener (without dedup, so every
 * delivery shows), prints one line per callback, and can forward each body to another URL, answering
 * with the outcome, so a local service sees what CI sent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createCallbackListener, type CallbackContext } from "./receiver/listener";
import type { ReceivedCallback } from "./receiver/events";

/** The usage lines of `listen`, for the CLI's help. */
export const listenUsage =
  "  ci-callback listen [--port N] [--host H] [--forward URL]   receive callbacks, print each one, optionally forward it";

/** Parses the arguments and starts the receiver; the exit code is set when it stops (SIGINT, SIGTERM). */
export function listenCommand(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, host: { type: "string" }, forward: { type: "string" } },
  });
  const port = Number(values.port ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not ${values.port}`);
  if (values.forward !== undefined && !URL.canParse(values.forward)) throw new Error(`--forward must be a URL, not ${values.forward}`);
  void listen(port, values.host ?? "127.0.0.1", values.forward).then((code) => {
    process.exitCode = code;
  });
  return 0;
}

function listen(port: number, host: string, forward: string | undefined): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const listener = createCallbackListener({
    dedup: false,
    handler: async (callback, context) => {
      out(`${describe(callback)}  valid`);
      if (forward !== undefined) await forwardBody(forward, context, out);
    },
    onInvalid: (error) => {
      out(`INVALID  ${error.kind} error: ${error.issues.map((i) => `${i.path || "/"}: ${i.message}`).join("; ")}`);
    },
    onError: (error) => {
      out(`  failed: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  const server = createServer((req, res) => {
    res.once("finish", () => out(`  answered ${req.method} ${req.url}: ${res.statusCode}`));
    listener(req, res);
  });
  return new Promise((resolve) => {
    server.once("error", (error) => {
      process.stderr.write(`cannot listen on ${host}:${port}: ${error.message}\n`);
      resolve(1);
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      out(`listening on http://${host}:${address.port}/ (every path)${forward === undefined ? "" : `, forwarding to ${forward}`}`);
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
          server.close(() => resolve(0));
          server.closeAllConnections();
        });
      }
    });
  });
}

/** POSTs the body as received; a failure rejects, so the sender gets 500 and delivers again. */
async function forwardBody(url: string, context: CallbackContext, out: (line: string) => void): Promise<void> {
  const headers: Record<string, string> = {};
  if (context.contentType !== undefined) headers["content-type"] = context.contentType;
  const response = await fetch(url, { method: "POST", headers, body: context.rawBody });
  await response.arrayBuffer();
  out(`  forwarded to ${url}: ${response.status}`);
  if (!response.ok) throw new Error(`the forward target answered ${response.status}`);
}

/** Event, Tag, JobId and State of each job, or the workflow run; read structurally to fit every callback type. */
function describe(callback: ReceivedCallback): string {
  const nodes = callback as {
    EventName: string;
    JobsDetail?: { Tag?: string; JobId?: string; State?: string }[];
    WorkflowExecution?: { WorkflowName?: string; RunId?: string; State?: string };
  };
  const parts = [nodes.EventName];
  for (const job of nodes.JobsDetail ?? []) parts.push(job.Tag ?? "-", job.JobId ?? "-", job.State ?? "-");
  const run = nodes.WorkflowExecution;
  if (run !== undefined) parts.push(run.WorkflowName ?? "-", run.RunId ?? "-", run.State ?? "-");
  return parts.join("  ");
}
