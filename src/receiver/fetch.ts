/**
 * Web-standard adapter, `Request` in, `Response` out: for serverless and edge runtimes and the frameworks
 * built on them (Hono, Next.js route handlers, Deno, Bun). A body already read (`request.json()`) is an
 * error that says the raw body is needed.
 */
import type { CallbackListener } from "./listener";
import { checkDeclaredLength, rawBodyRequired, readWebBody } from "./read-body";

/** A fetch-style handler. */
export type FetchCallbackHandler = (request: Request) => Promise<Response>;

const hint =
  "Pass the Request before reading its body (request.json(), request.text(), Hono's c.req.json()), " +
  "or pass request.clone() if you need to read it elsewhere too.";

/** Adapts a listener to `Request → Response`: `export const POST = createFetchHandler(listener)`. */
export function createFetchHandler(listener: CallbackListener): FetchCallbackHandler {
  return async (request) => {
    const reply = await listener.handle({
      method: request.method,
      url: request.url,
      contentType: request.headers.get("content-type") ?? undefined,
      contentVersion: request.headers.get("x-ci-content-version") ?? undefined,
      contentEncoding: request.headers.get("content-encoding") ?? undefined,
      body: async () => {
        if (request.bodyUsed) throw rawBodyRequired(hint);
        checkDeclaredLength(request.headers.get("content-length"), listener.limits.maxBytes);
        return readWebBody(request.body, listener.limits);
      },
    });
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
}
