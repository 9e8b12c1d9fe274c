/**
 * `ci-callback listen`: a development receiver. It runs the callback listener (without dedup, so every
 * delivery shows), prints one line per callback, and can forward each body to another URL, answering
 * with the outcome, so a local service sees what CI sent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { systemReason } from "../read/input";
import { CliError, ExitCode, fetchFailure, help, noMoreArguments, parseCommand, usageError, wholeNumber, type Command } from "./common";
import { redactUrl } from "./redact";
import { createCallbackListener, type CallbackContext } from "../receiver/listener";
import type { ReceivedCallback } from "../receiver/events";

/** Below the listener's 30 s handler timeout, so that a slow target is reported as such. */
const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;

/** `ci-callback listen`. */
export const listenCommand: Command = {
  name: "listen",
  synopsis: "[--port N] [--host H] [--forward URL] [--forward-timeout MS]",
  summary: "a development receiver: print each callback, optionally forward it",
  usage: `usage: ci-callback listen [--port N] [--host H] [--forward URL] [--forward-timeout MS]
Receives callbacks on every path (no secret, no dedup), prints a line for each and its answer, until
SIGINT or SIGTERM. Exit 3 when the port cannot be listened on.
  --port N              default 8080; 0 picks a free one
  --host H              default 127.0.0.1
  --forward URL         POST each valid body on to URL; a failure (refused, not 2xx, timeout) answers 500
  --forward-timeout MS  how long the forward target may take to answer, default ${DEFAULT_FORWARD_TIMEOUT_MS}`,
  run(args) {
    const parsed = parseCommand(args, {
      port: { type: "string" },
      host: { type: "string" },
      forward: { type: "string" },
      "forward-timeout": { type: "string" },
    });
    if (parsed === undefined) return help(this);
    noMoreArguments(parsed.positionals);
    const { values } = parsed;
    const port = wholeNumber("--port", values.port, 8080, 0, 65535);
    const forward = values.forward;
    if (forward !== undefined && !URL.canParse(forward)) throw usageError(`--forward must be a URL, not "${redactUrl(forward)}"`);
    const timeoutMs = wholeNumber("--forward-timeout", values["forward-timeout"], DEFAULT_FORWARD_TIMEOUT_MS, 1, 2 ** 31 - 1);
    return listen(port, values.host ?? "127.0.0.1", forward === undefined ? undefined : { url: new URL(forward), timeoutMs });
  },
};

/** Where and how long to forward. */
interface Forward {
  url: URL;
  timeoutMs: number;
}

/** Resolves with the exit code once stopped by a signal; rejects when the port cannot be listened on. */
function listen(port: number, host: string, forward: Forward | undefined): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const listener = createCallbackListener({
    // A development receiver on the user's own machine: no secret, on purpose, so no warning.
    secret: false,
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
    res.once("finish", () => out(`  answered ${req.method} ${redactUrl(req.url ?? "/")}: ${res.statusCode}`));
    listener(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error) => {
      reject(new CliError(ExitCode.io, `cannot listen on ${host}:${port}: ${systemReason(error)}`));
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      out(`listening on http://${host}:${address.port}/ (every path)${forward === undefined ? "" : `, forwarding to ${redactUrl(forward.url)}`}`);
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
          server.close(() => resolve(ExitCode.ok));
          server.closeAllConnections();
        });
      }
    });
  });
}

/** POSTs the body as received; a failure rejects, saying what failed, so the sender gets 500 and delivers again. */
async function forwardBody(forward: Forward, context: CallbackContext, out: (line: string) => void): Promise<void> {
  const headers: Record<string, string> = {};
  if (context.contentType !== undefined) headers["content-type"] = context.contentType;
  if (context.contentVersion !== undefined) headers["x-ci-content-version"] = context.contentVersion;
  let status: number;
  try {
    // Stopped too when the listener gives up on the delivery.
    const signal = AbortSignal.any([context.signal, AbortSignal.timeout(forward.timeoutMs)]);
    const response = await fetch(forward.url, { method: "POST", headers, body: context.rawBody, signal });
    await response.arrayBuffer();
    status = response.status;
  } catch (error) {
    throw new Error(`forward to ${redactUrl(forward.url)}: ${fetchFailure(error, forward.url, forward.timeoutMs)}`);
  }
  if (status < 200 || status > 299) throw new Error(`forward to ${redactUrl(forward.url)}: answered ${status}`);
  out(`  forwarded to ${redactUrl(forward.url)}: ${status}`);
}

/** Event, Tag, JobId and State of each job, the workflow run, or the moderation job or Simple body. */
function describe(callback: ReceivedCallback): string {
  if (callback.EventName === undefined) {
    return ["Simple", callback.data.event ?? "-", callback.data.trace_id].join("  ");
  }
  if (callback.EventName === "TaskFinish") {
    return [callback.EventName, ...callback.JobsDetail.flatMap((job) => [job.Tag, job.JobId, job.State ?? "-"])].join("  ");
  }
  if (callback.EventName === "WorkflowFinish") {
    const run = callback.WorkflowExecution;
    return [callback.EventName, run.WorkflowName ?? "-", run.RunId ?? "-", run.State ?? "-"].join("  ");
  }
  return [callback.EventName, callback.JobsDetail.JobId, callback.JobsDetail.State].join("  ");
}
