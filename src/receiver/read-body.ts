/**
 * Reading the raw request body before anything parses it: a size limit (checked on Content-Length first,
 * then on the bytes as they come) and a deadline for the whole body, so a slow sender cannot hold a
 * connection open. Errors carry the HTTP status the listener answers with.
 */
import type { Readable } from "node:stream";

/** Why a body could not be had. */
export type BodyReadErrorKind = "limit" | "timeout" | "aborted" | "raw-body-required" | "encoding" | "unsupported-encoding";

/** A body that could not be read; `status` is the answer the listener gives. */
export class BodyReadError extends Error {
  override readonly name = "BodyReadError";

  constructor(
    /** What went wrong. */
    readonly kind: BodyReadErrorKind,
    /**
     * The HTTP status to answer: 413 (limit), 408 (timeout), 400 (aborted, encoding), 415 (unsupported-encoding),
     * 500 (raw-body-required).
     */
    readonly status: 400 | 408 | 413 | 415 | 500,
    message: string,
  ) {
    super(message);
  }
}

/** Limits applied while reading a body. */
export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Time allowed for the whole body to arrive, in milliseconds. */
  timeoutMs: number;
}

/** The error a framework adapter reports when a body parser consumed the body before the listener saw it. */
export function rawBodyRequired(hint: string): BodyReadError {
  return new BodyReadError(
    "raw-body-required",
    500,
    "ci-callback needs the raw request body, but a body parser already read it and left only a parsed value. " +
      hint,
  );
}

/** The 413 error; `size` when known. */
export function tooLarge(size: number | undefined, maxBytes: number): BodyReadError {
  const what = size === undefined ? "body is" : `body is ${size} bytes,`;
  return new BodyReadError("limit", 413, `${what} over the limit of ${maxBytes} bytes`);
}

function timedOut(timeoutMs: number): BodyReadError {
  return new BodyReadError("timeout", 408, `body did not arrive within ${timeoutMs} ms`);
}

/** Fails fast on a declared Content-Length past the limit, before a byte of the body is read. */
export function checkDeclaredLength(contentLength: string | null | undefined, maxBytes: number): void {
  if (contentLength === undefined || contentLength === null) return;
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
}

/** Reads a Node stream (an `IncomingMessage`) to one Buffer within the limits. */
export function readNodeBody(stream: Readable, limits: BodyLimits, contentLength?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    try {
      checkDeclaredLength(contentLength, limits.maxBytes);
    } catch (error) {
      stream.resume(); // discard the body, so the answer reaches the sender instead of a connection reset
      reject(error as BodyReadError);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: BodyReadError): void => {
      clearTimeout(timer);
      stream.off("data", onData).off("end", onEnd).off("error", onAborted).off("close", onAborted);
      if (error === undefined) {
        // A callback mostly arrives in one chunk: hand that over rather than copy it.
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      } else {
        // Drain what is still coming, so the answer reaches the sender instead of a connection reset.
        stream.resume();
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(tooLarge(undefined, limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onAborted = (): void => finish(new BodyReadError("aborted", 400, "the sender closed the connection before the body ended"));
    const timer = setTimeout(() => finish(timedOut(limits.timeoutMs)), limits.timeoutMs);
    stream.on("data", onData).once("end", onEnd).once("error", onAborted).once("close", onAborted);
  });
}

/** Reads a web `ReadableStream` (a `Request` body) to one byte array within the limits. */
export async function readWebBody(body: ReadableStream<Uint8Array> | null, limits: BodyLimits): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(limits.timeoutMs)), limits.timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) throw tooLarge(undefined, limits.maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    if (error instanceof BodyReadError) throw error;
    throw new BodyReadError("aborted", 400, "the body stream failed before it ended");
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, size);
}
