/**
 * The inspector's own HTTP server, on 127.0.0.1 only: the page and its script and style, an event stream of
 * new requests, each request's detail and raw body, and replay. Bodies are the sender's, so hostile: the page
 * renders them as text only, and this server keeps other sites out. A strict Content-Security-Policy (no inline
 * script, nothing from elsewhere), a Host check (a DNS-rebound name cannot reach the API) and a same-origin
 * check on the API (Origin and Sec-Fetch-Site); replay, which makes the listener send, is POST from the page's
 * own origin only.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { KEPT_CALLBACKS, type KeptCallback, type RecentCallbacks } from "./recent";
import type { CallbackDetail, Hello, ReplayOutcome } from "./wire";

/** What the server needs from the listen command. */
export interface InspectorOptions {
  /** 0 picks a free one. */
  port: number;
  recent: RecentCallbacks;
  /** Sends a kept request's body again and says what came back. */
  replay(kept: KeptCallback): Promise<ReplayOutcome>;
}

/** A running inspector. */
export interface Inspector {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** The only interface the inspector listens on, whatever the listener's `--host`. */
const LOOPBACK = "127.0.0.1";

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

/** The page's files, as the build lays them out beside this module; read once, when first asked for. */
const pageDir = join(__dirname, "page");
const pageFiles: Record<string, string> = {
  "/": "index.html",
  "/inspector.css": "inspector.css",
  "/inspector.js": "inspector.js",
  "/list.js": "list.js",
  "/detail.js": "detail.js",
  "/tree.js": "tree.js",
  "/pretty.js": "pretty.js",
  "/dom.js": "dom.js",
};
const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};
const fileCache = new Map<string, Buffer>();

/**
 * Starts the inspector on 127.0.0.1.
 * @throws the server's error (say, EADDRINUSE) when it cannot listen.
 */
export function startInspector(options: InspectorOptions): Promise<Inspector> {
  const server = createServer((req, res) => {
    route(req, res, options, server).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `inspector failed: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, LOOPBACK, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://${LOOPBACK}:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function route(req: IncomingMessage, res: ServerResponse, options: InspectorOptions, server: Server): Promise<void> {
  const { port } = server.address() as AddressInfo;
  // DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 sends its own Host.
  const host = req.headers.host ?? "";
  if (host !== `${LOOPBACK}:${port}` && host !== `localhost:${port}`) return send(res, 421, "text/plain; charset=utf-8", "unknown host");
  const path = (req.url ?? "/").split("?")[0];
  // The browser asks for it by itself: no icon, and no error in the console.
  if (path === "/favicon.ico") return send(res, 204, "text/plain; charset=utf-8", "");
  const file = pageFiles[path];
  if (file !== undefined) {
    if (req.method !== "GET") return send(res, 405, "text/plain; charset=utf-8", "GET only", { allow: "GET" });
    return send(res, 200, contentTypes[file.slice(file.lastIndexOf(".") + 1)], pageFile(file));
  }
  if (!path.startsWith("/api/")) return send(res, 404, "text/plain; charset=utf-8", "not found");
  if (fromAnotherSite(req, `http://${host}`)) return send(res, 403, "text/plain; charset=utf-8", "the inspector answers its own page only");
  if (path === "/api/events") return events(req, res, options.recent);
  const match = /^\/api\/callbacks\/(\d{1,15})(\/body|\/replay)?$/.exec(path);
  const kept = match === null ? undefined : options.recent.get(Number(match[1]));
  if (match === null || kept === undefined) return send(res, 404, "text/plain; charset=utf-8", "no such callback (only the last ones are kept)");
  const action = match[2];
  if (action === "/replay") {
    // A replay makes the listener send: only a POST, and only from this origin (a browser always sends Origin on POST).
    if (req.method !== "POST") return send(res, 405, "text/plain; charset=utf-8", "POST only", { allow: "POST" });
    if (req.headers.origin !== `http://${host}`) return send(res, 403, "text/plain; charset=utf-8", "replay is POSTed by the inspector's page only");
    return sendJson(res, await options.replay(kept));
  }
  if (req.method !== "GET") return send(res, 405, "text/plain; charset=utf-8", "GET only", { allow: "GET" });
  if (action === "/body") {
    if (kept.body === undefined) return send(res, 404, "text/plain; charset=utf-8", "this request's body was not read");
    const extension = kept.summary.format === "xml" || kept.summary.format === "json" ? kept.summary.format : "txt";
    // Never rendered by the browser: a download of the bytes as received.
    return send(res, 200, "application/octet-stream", kept.body, {
      "content-disposition": `attachment; filename="callback-${kept.summary.id}.${extension}"`,
    });
  }
  const detail: CallbackDetail = {
    summary: kept.summary,
    body: kept.body === undefined ? null : Buffer.from(kept.body.buffer, kept.body.byteOffset, kept.body.byteLength).toString("utf8"),
    ...kept.detail(),
  };
  return sendJson(res, detail);
}

/** True for a request a browser sent from another site or origin; requests from outside a browser carry neither header. */
function fromAnotherSite(req: IncomingMessage, origin: string): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return true;
  return req.headers.origin !== undefined && req.headers.origin !== origin;
}

/** Server-sent events: the kept requests after Last-Event-ID (all of them at first), then each new one. */
function events(req: IncomingMessage, res: ServerResponse, recent: RecentCallbacks): void {
  res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
  const last = Number(req.headers["last-event-id"] ?? 0);
  // JSON never holds a raw line end, so each summary is one `data:` line.
  const write = (summary: { id: number }): void => void res.write(`id: ${summary.id}\ndata: ${JSON.stringify(summary)}\n\n`);
  const hello: Hello = { kept: KEPT_CALLBACKS };
  res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
  // A page that saw more than this server kept saw an earlier listener: it starts over (its list is cleared).
  const after = Number.isSafeInteger(last) && last <= recent.last ? last : 0;
  for (const summary of recent.since(after)) write(summary);
  const stop = recent.watch(write);
  res.once("close", stop);
}

function pageFile(name: string): Buffer {
  let bytes = fileCache.get(name);
  if (bytes === undefined) fileCache.set(name, (bytes = readFileSync(join(pageDir, name))));
  return bytes;
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, "application/json; charset=utf-8", JSON.stringify(value));
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
