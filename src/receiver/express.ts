/**
 * Express adapter. Express's request is Node's, so the listener works as a route handler as it is; this
 * adapter adds what Express changes: a body parser may have run first (its raw Buffer or text is used, a
 * parsed object is an error that says how to fix the setup) and a mounted router rewrites `req.url`.
 * Structural types only: express stays out of this package's dependencies.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { writeNodeAnswer } from "./answer";
import type { CallbackListener } from "./listener";
import { callbackRequestFromNode } from "./node-request";

/** What the adapter reads from an Express request. */
export interface ExpressLikeRequest extends IncomingMessage {
  /** Set by a body parser, if one ran. */
  body?: unknown;
  /** The URL before routers stripped their mount path. */
  originalUrl?: string;
}

/** An Express route handler. */
export type ExpressCallbackHandler = (req: ExpressLikeRequest, res: ServerResponse) => void;

const hint =
  "Register the callback route before app.use(express.json()) (or any other body parser), " +
  'or give it the bytes: app.post(path, express.raw({ type: "*/*" }), handler).';

/** Adapts a listener to Express: `app.post("/ci/callback", createExpressHandler(listener))`. */
export function createExpressHandler(listener: CallbackListener): ExpressCallbackHandler {
  return (req, res) => {
    const request = callbackRequestFromNode(req, listener.limits, { url: req.originalUrl, parsed: req.body, hint });
    void listener.handle(request).then((reply) => writeNodeAnswer(req, res, reply));
  };
}
