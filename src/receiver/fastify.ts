/**
 * Fastify adapter. Fastify parses bodies before route handlers run (and refuses XML with 415), so the
 * plugin gives its route a parser of its own that leaves the body unread, for the listener to read under its
 * limits once it accepts the request.
 * The bare handler is for a route you set up yourself; a parsed object reaching it is an error that says
 * how to fix the setup. Structural types only: fastify stays out of this package's dependencies.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { CallbackListener } from "./listener";
import { rawBodyRequired, readNodeBody } from "./read-body";

/** What the handler uses of a Fastify request. */
export interface FastifyLikeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
}

/** What the handler uses of a Fastify reply. */
export interface FastifyLikeReply {
  /** Sets the status code. */
  code(statusCode: number): FastifyLikeReply;
  /** Sets response headers. */
  headers(values: Record<string, string>): FastifyLikeReply;
  /** Sends the body. */
  send(payload: string): FastifyLikeReply;
}

/** A Fastify route handler. */
export type FastifyCallbackHandler = (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<FastifyLikeReply>;

/** What the plugin uses of a Fastify instance (its own encapsulated context). */
export interface FastifyLikeInstance {
  /** Removes Fastify's own body parsers from the plugin's context. */
  removeAllContentTypeParsers(): void;
  /** Adds the parser that keeps the raw bytes. */
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  /** Adds the callback route. */
  route(options: { method: string[]; url: string; handler: FastifyCallbackHandler }): unknown;
}

/** Options of {@link fastifyCallbackPlugin}. */
export interface FastifyCallbackPluginOptions {
  listener: CallbackListener;
  /** The callback route, such as `/ci/callback` (a path secret: `/ci/callback/:secret`). */
  url: string;
}

const hint =
  "Register the route with fastifyCallbackPlugin, which reads the raw body for it: " +
  'app.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" }).';

/**
 * A Fastify plugin that adds the callback route with a raw-body parser (in its own context, so other
 * routes keep theirs): `app.register(fastifyCallbackPlugin, { listener, url: "/ci/callback" })`.
 */
export async function fastifyCallbackPlugin(instance: FastifyLikeInstance, options: FastifyCallbackPluginOptions): Promise<void> {
  const { listener, url } = options;
  instance.removeAllContentTypeParsers();
  // The body is read only when the listener asks for it, once the method and secret are accepted: a refused
  // request's body is never read, and the connection is closed instead.
  instance.addContentTypeParser("*", (_request, payload, done) => done(null, new UnreadBody(payload)));
  instance.route({ method: ["GET", "POST", "PUT", "PATCH", "DELETE"], url, handler: createFastifyHandler(listener) });
}

/** What the plugin's parser hands the route: the request's body stream, not read yet. */
class UnreadBody {
  constructor(readonly payload: IncomingMessage) {}
}

/** Adapts a listener to a Fastify route whose body arrives raw (see {@link fastifyCallbackPlugin}). */
export function createFastifyHandler(listener: CallbackListener): FastifyCallbackHandler {
  return async (request, reply) => {
    const { body } = request;
    const answer = await listener.handle({
      method: request.method,
      url: request.url,
      contentType: request.headers["content-type"],
      contentVersion: [request.headers["x-ci-content-version"]].flat()[0],
      // The plugin's parser keeps the bytes as they came; a parser of the user's own decoded nothing either.
      contentEncoding: request.headers["content-encoding"],
      body: () => {
        if (body instanceof UnreadBody) return readNodeBody(body.payload, listener.limits, body.payload.headers["content-length"]);
        if (body instanceof Uint8Array || typeof body === "string") return Promise.resolve(body);
        // No parser ran (a body-less request), or one left a parsed value.
        return body === undefined ? Promise.resolve("") : Promise.reject(rawBodyRequired(hint));
      },
    });
    return reply.code(answer.status).headers({ ...answer.headers }).send(answer.body);
  };
}
