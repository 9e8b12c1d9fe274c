/**
 * The request the listener reads: what every adapter (Node, Express, Koa, Fastify, fetch) builds from its
 * framework's request. Apart from listener.ts so that the adapters' helpers import it without importing the
 * listener that imports them.
 */
/** A request as the listener needs it; adapters build one from their framework's request. */
export interface CallbackRequest {
  /** HTTP method. */
  method: string;
  /** Path and query as received (where a secret may be). */
  url: string;
  /** The Content-Type header, if any. */
  contentType?: string;
  /** The `X-Ci-Content-Version` header, if any: cross-checked against the body's shape. */
  contentVersion?: string;
  /**
   * The Content-Encoding of what `body` gives (gzip, deflate, br, identity), undone before parsing. Leave it
   * undefined when a framework's body parser already decoded the body.
   */
  contentEncoding?: string;
  /** Reads the raw body; called only once the method and secret are accepted. May throw a {@link BodyReadError}. */
  body: () => Promise<Uint8Array | string>;
}
