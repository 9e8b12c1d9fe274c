/** Loopback HTTP for the receiver tests: servers on 127.0.0.1 with a free port, and requests to them. */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";

/** A server listening on 127.0.0.1. */
export interface Served {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** Starts a Node server for a request listener on a free loopback port. */
export function serve(listener: RequestListener): Promise<Served> {
  return serveServer(createServer(listener));
}

/** Listens with an existing server on a free loopback port. */
export function serveServer(server: Server): Promise<Served> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => closeServer(server) });
    });
  });
}

/** Closes a server and the keep-alive connections clients left open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** An answer as the tests read it. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

/** One request with Node's client; `chunks` are written one by one, and the body is ended unless `end` is false. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; chunks?: (string | Buffer)[]; end?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "POST", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    if (options.end !== false) req.end();
  });
}

/** POSTs a whole body (Content-Length set) with an optional Content-Type. */
export function post(url: string, body: string | Buffer, contentType?: string): Promise<Reply> {
  const headers: Record<string, string | number> = { "content-length": Buffer.byteLength(body) };
  if (contentType !== undefined) headers["content-type"] = contentType;
  return send(url, { headers, chunks: [body] });
}

/** POSTs `body` compressed with `encoding` (gzip, deflate or br), labelled so with Content-Encoding. */
export function postEncoded(url: string, body: string, encoding: "gzip" | "deflate" | "br"): Promise<Reply> {
  const input = Buffer.from(body);
  const bytes = encoding === "gzip" ? gzipSync(input) : encoding === "deflate" ? deflateSync(input) : brotliCompressSync(input);
  return send(url, { headers: { "content-length": bytes.length, "content-encoding": encoding }, chunks: [bytes] });
}

/** A Detail moderation callback (ReviewText) as CI POSTs it, with an `X-Ci-Content-Version` header. */
export function postModeration(url: string, version: "Simple" | "Detail"): Promise<Reply> {
  const body = JSON.stringify({ EventName: "ReviewText", JobsDetail: { JobId: `j-${version}`, State: "Success", Result: 0 } });
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-ci-content-version": version };
  return send(url, { headers, chunks: [body] });
}

/** A loopback port nothing listens on: bound, noted, closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}
