/**
 * `ci-callback listen`: a development receiver. It runs the callback listener (without dedup, so every
 * delivery shows), prints one line per callback, and can forward each body to another URL, answering
 * with the outcome, so a local service sees what CI sent; record every body to an NDJSON file; and serve
 * the inspector, a page that shows each request as it arrives (inspect/).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { systemReason } from "../read/input";
import { writeNodeAnswer } from "../receiver/answer";
import { decodeContentEncoding } from "../receiver/content-encoding";
import type { ReceivedCallback } from "../receiver/events";
import { summarizeCallback } from "../canonical/summary";
import { createCallbackListener, type CallbackContext, type CallbackRequest } from "../receiver/listener";
import { callbackRequestFromNode } from "../receiver/node-request";
import { CliError, ExitCode, fetchFailure, help, noMoreArguments, parseCommand, usageError, wholeNumber, type Command } from "./common";
import { keptCallback } from "./inspect/kept";
import { KEPT_CALLBACKS, RecentCallbacks } from "./inspect/recent";
import { Recording } from "./inspect/record";
import { replay } from "./inspect/replay";
import { startInspector, type Inspector } from "./inspect/server";
import { redactUrl } from "./redact";

/** Below the listener's 30 s handler timeout, so that a slow target is reported as such. */
const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;

/** `ci-callback listen`. */
export const listenCommand: Command = {
  name: "listen",
  synopsis: "[--port N] [--host H] [--forward URL] [--forward-timeout MS] [--inspect [PORT]] [--record FILE]",
  summary: "a development receiver: print each callback, optionally forward, inspect or record it",
  usage: `usage: ci-callback listen [--port N] [--host H] [--forward URL] [--forward-timeout MS] [--inspect [PORT]] [--record FILE]
Receives callbacks on every path (no secret, no dedup), prints a line for each and its answer, until
SIGINT or SIGTERM. Exit 3 when a port cannot be listened on or FILE not opened.
  --port N              default 8080; 0 picks a free one
  --host H              default 127.0.0.1
  --forward URL         POST each valid body on to URL; a failure (refused, not 2xx, timeout) answers 500
  --forward-timeout MS  how long the forward target may take to answer, default ${DEFAULT_FORWARD_TIMEOUT_MS}
  --inspect [PORT]      serve the inspector page on http://127.0.0.1:PORT/ (always loopback, whatever --host):
                        each request live, its body, canonical tree and issues, replay and save; the last
                        ${KEPT_CALLBACKS} are kept in memory. PORT defaults to the listen port + 1 (0 with --port 0)
  --record FILE         append every body received to FILE, one a line (NDJSON: validate FILE checks it,
                        send URL --file FILE sends it again)`,
  run(args) {
    const parsed = parseCommand(optionalInspectPort(args), {
      port: { type: "string" },
      host: { type: "string" },
      forward: { type: "string" },
      "forward-timeout": { type: "string" },
      inspect: { type: "string" },
      record: { type: "string" },
    });
    if (parsed === undefined) return help(this);
    noMoreArguments(parsed.positionals);
    const { values } = parsed;
    const port = wholeNumber("--port", values.port, 8080, 0, 65535);
    const forward = values.forward;
    if (forward !== undefined && !URL.canParse(forward)) throw usageError(`--forward must be a URL, not "${redactUrl(forward)}"`);
    const timeoutMs = wholeNumber("--forward-timeout", values["forward-timeout"], DEFAULT_FORWARD_TIMEOUT_MS, 1, 2 ** 31 - 1);
    const defaultInspectPort = port === 0 || port === 65535 ? 0 : port + 1;
    const inspectPort = values.inspect === undefined ? undefined : values.inspect === "" ? defaultInspectPort : wholeNumber("--inspect", values.inspect, 0, 0, 65535);
    if (values.record === "") throw usageError("--record needs a FILE");
    return listen({
      port,
      host: values.host ?? "127.0.0.1",
      forward: forward === undefined ? undefined : { url: new URL(forward), timeoutMs },
      inspectPort,
      record: values.record,
    });
  },
};

/** `--inspect` with no PORT after it (the last argument, or another option next) is `--inspect=`: the default. */
function optionalInspectPort(args: string[]): string[] {
  return args.map((arg, i) => (arg === "--inspect" && (i === args.length - 1 || args[i + 1].startsWith("-")) ? "--inspect=" : arg));
}

/** What `listen` was asked to do. */
interface ListenOptions {
  port: number;
  host: string;
  forward: Forward | undefined;
  inspectPort: number | undefined;
  record: string | undefined;
}

/** Where and how long to forward. */
interface Forward {
  url: URL;
  timeoutMs: number;
}

/** Resolves with the exit code once stopped by a signal; rejects when a port cannot be listened on or FILE opened. */
async function listen(options: ListenOptions): Promise<number> {
  const { port, host, forward } = options;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const recent = options.inspectPort === undefined ? undefined : new RecentCallbacks();
  const recording = options.record === undefined ? undefined : new Recording(options.record);
  // The canonical object of each valid body, by the body the listener was given: the inspector lists it.
  const valid = new WeakMap<object, ReceivedCallback>();
  const listener = createCallbackListener({
    // A development receiver on the user's own machine: no secret, on purpose, so no warning.
    secret: false,
    dedup: false,
    handler: async (callback, context) => {
      if (typeof context.rawBody === "object") valid.set(context.rawBody, callback);
      out(`${summarizeCallback(callback)}  valid`);
      if (forward !== undefined) await forwardBody(forward, context, out);
    },
    onTest: (callback, context) => {
      if (typeof context.rawBody === "object") valid.set(context.rawBody, callback);
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
    const time = new Date();
    const request = callbackRequestFromNode(req, listener.limits);
    let body: Uint8Array | undefined;
    const seen: CallbackRequest = {
      ...request,
      // Decoded here rather than by the listener, so that what is recorded and inspected is what was parsed.
      contentEncoding: undefined,
      body: async () => {
        const raw = await request.body();
        const decoded = request.contentEncoding === undefined ? raw : await decodeContentEncoding(raw, request.contentEncoding, listener.limits.maxBytes);
        body = typeof decoded === "string" ? Buffer.from(decoded) : decoded;
        return body;
      },
    };
    void listener.handle(seen).then((answer) => {
      writeNodeAnswer(req, res, answer);
      if (body !== undefined && recording !== undefined) record(recording, body, out);
      recent?.add((id) =>
        keptCallback(id, {
          time,
          method: request.method,
          path: request.url,
          contentType: request.contentType,
          contentVersion: request.contentVersion,
          body,
          answer,
          callback: body === undefined ? undefined : valid.get(body),
        }),
      );
    });
  });
  let inspector: Inspector | undefined;
  try {
    const address = await listenOn(server, port, host);
    out(`listening on http://${host}:${address.port}/ (every path)${forward === undefined ? "" : `, forwarding to ${redactUrl(forward.url)}`}`);
    if (recent !== undefined) {
      // Replay goes where a callback would go next: the forward target, or else this listener.
      const self = new URL(`http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${address.port}/`);
      inspector = await startInspector({
        port: options.inspectPort ?? 0,
        recent,
        replay: (kept) => replay(kept, forward?.url ?? new URL(kept.path, self), forward?.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS),
      }).catch((error: unknown) => {
        throw new CliError(ExitCode.io, `cannot serve the inspector on 127.0.0.1:${options.inspectPort}: ${systemReason(error)}`);
      });
      out(`inspector on ${inspector.origin}/ (keeps the last ${KEPT_CALLBACKS})`);
    }
    if (recording !== undefined) out(`recording every body to ${recording.file}`);
  } catch (error) {
    server.close();
    recording?.close();
    throw error;
  }
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await Promise.all([
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
    inspector?.close(),
  ]);
  recording?.close();
  return ExitCode.ok;
}

/** Listens; rejects with a CliError (io) when the port cannot be listened on. */
function listenOn(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", (error) => {
      reject(new CliError(ExitCode.io, `cannot listen on ${host}:${port}: ${systemReason(error)}`));
    });
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/** Appends a body to the recording; a failed write is said, and the listener goes on. */
function record(recording: Recording, body: Uint8Array, out: (line: string) => void): void {
  try {
    recording.add(body);
  } catch (error) {
    out(`  record failed: ${systemReason(error)}`);
  }
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
