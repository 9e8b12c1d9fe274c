/**
 * The one call that shuts a receiver with an inbox down, in order: stop taking connections and requests,
 * let the requests in flight get their answers (each answered only once its callback is stored), then close
 * the inbox. A process that calls it on SIGTERM ends, with every acknowledged callback stored.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** Options of {@link shutdownReceiver}. */
export interface ShutdownOptions {
  /**
   * How long the requests in flight may take to be answered, in ms; past it their connections are closed
   * (those requests are not acknowledged, so the sender delivers them again). Default 10 s.
   */
  timeoutMs?: number;
}

/** Anything the receiver closes after its server: the inbox. */
export interface Closable {
  /** Closes it; resolves once done. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How often idle keep-alive connections are closed while requests finish, in ms. */
const IDLE_SWEEP_MS = 25;

/**
 * Shuts a receiver down: `server` takes no new connection, keep-alive connections close once their request is
 * answered (idle ones at once), requests in flight finish (within `timeoutMs`), then `inbox` is closed.
 * Resolves once all of it is done: the process can exit.
 */
export async function shutdownReceiver(server: Server, inbox: Closable | undefined, options: ShutdownOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be a whole number of ms, not ${String(timeoutMs)}`);
  // A request that still arrives on an open connection is answered, and its connection then closed.
  const closeAfter = (_req: IncomingMessage, res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };
  server.on("request", closeAfter);
  const closed = new Promise<void>((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  server.closeIdleConnections();
  let timeout: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timeout = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([closed, late]);
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(timeout);
    server.off("request", closeAfter);
  }
  await inbox?.close();
}
