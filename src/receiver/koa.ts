/**
 * Koa adapter, a middleware. When a body parser ran first its raw text (`ctx.request.rawBody`, as
 * @koa/bodyparser and koa-bodyparser keep it) is used; a parser that kept only a parsed object is an error
 * that says how to fix the setup. Structural types only: koa stays out of this package's dependencies.
 */
import type { IncomingMessage } from "node:http";
import type { CallbackListener } from "./listener";
import { callbackRequestFromNode } from "./node-request";

/** What the middleware uses of a Koa context. */
export interface KoaLikeContext {
  method: string;
  /** The URL before any router rewrote it. */
  originalUrl: string;
  path: string;
  req: IncomingMessage;
  request: {
    url: string;
    /** Set by a body parser, if one ran. */
    body?: unknown;
    /** The raw text, kept by @koa/bodyparser and koa-bodyparser. */
    rawBody?: unknown;
  };
  status: number;
  body: unknown;
  /** Sets response headers. */
  set(headers: Record<string, string>): void;
}

/** A Koa middleware. */
export type KoaCallbackMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>;

/** Options of {@link createKoaMiddleware}. */
export interface KoaCallbackOptions {
  /** Handle only this path and pass other requests on; without it every request is a callback. */
  path?: string;
}

const hint =
  "Use the callback middleware before the body parser (app.use order), " +
  "or use a parser that keeps ctx.request.rawBody, such as @koa/bodyparser.";

/** Adapts a listener to Koa: `app.use(createKoaMiddleware(listener, { path: "/ci/callback" }))`. */
export function createKoaMiddleware(listener: CallbackListener, options: KoaCallbackOptions = {}): KoaCallbackMiddleware {
  return async (ctx, next) => {
    if (options.path !== undefined && ctx.path !== options.path) {
      await next();
      return;
    }
    const { rawBody, body } = ctx.request;
    const parsed = typeof rawBody === "string" ? rawBody : body;
    const request = callbackRequestFromNode(ctx.req, listener.limits, { url: ctx.originalUrl, parsed, hint });
    const reply = await listener.handle(request);
    ctx.status = reply.status;
    ctx.set({ ...reply.headers });
    ctx.body = reply.body;
  };
}
