/**
 * A {@link CallbackRequest} from a Node request, for the plain handler and the adapters of frameworks built
 * on it (Express, Koa). The body is the stream, unless a parser already turned it into bytes or text.
 */
import type { IncomingMessage } from "node:http";
import type { CallbackRequest } from "./request";
import { rawBodyRequired, readNodeBody, type BodyLimits } from "./read-body";

/** How an adapter describes what its framework did to the request. */
export interface NodeRequestSource {
  /** The URL the sender used, when the framework rewrote `req.url` (Express's `originalUrl`). */
  url?: string;
  /** What a body parser left, if one ran: used when it is the raw bytes or text. */
  parsed?: unknown;
  /** How to fix the setup when a parser consumed the body, in the framework's words. */
  hint?: string;
}

/** Builds the listener's request; the body is read only when the listener asks for it. */
export function callbackRequestFromNode(req: IncomingMessage, limits: BodyLimits, source: NodeRequestSource = {}): CallbackRequest {
  const { parsed } = source;
  const fromParser = parsed instanceof Uint8Array || typeof parsed === "string";
  return {
    method: req.method ?? "",
    url: source.url ?? req.url ?? "/",
    contentType: req.headers["content-type"],
    contentVersion: header(req.headers["x-ci-content-version"]),
    // A body parser's bytes or text are decoded already (body-parser and koa's parsers inflate).
    contentEncoding: fromParser ? undefined : req.headers["content-encoding"],
    body: () => {
      if (fromParser) return Promise.resolve(parsed);
      // Nothing read the stream yet (a parser skipped this Content-Type): read it ourselves.
      if (!req.readableEnded) return readNodeBody(req, limits, req.headers["content-length"]);
      return Promise.reject(rawBodyRequired(source.hint ?? "Give the listener the request before any body parser reads it."));
    },
  };
}

/** A header that may be repeated: its first value. */
function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
