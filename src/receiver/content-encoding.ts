/**
 * Undoing a request's Content-Encoding (gzip, deflate, br) before the body is parsed, with `node:zlib`. The
 * size limit counts the decoded bytes, and zlib stops at it (`maxOutputLength`), so a small compressed body
 * that inflates to gigabytes (a zip bomb) costs no more than the limit. An encoding this does not know is
 * refused with 415, and a body that is not what its header says with 400: never parsed as it came.
 */
import type { ZlibOptions } from "node:zlib";
import { BodyReadError } from "./read-body";

// getBuiltinModule, not import: compiled to require(), an import breaks an ES module bundle of the package.
const { promisify } = process.getBuiltinModule("node:util");
const { brotliDecompress, gunzip, inflate } = process.getBuiltinModule("node:zlib");

type Decoder = (input: Uint8Array, options: ZlibOptions) => Promise<Buffer>;

const decoders: Readonly<Record<string, Decoder>> = {
  gzip: promisify(gunzip) as Decoder,
  // HTTP says recipients should read x-gzip as gzip.
  "x-gzip": promisify(gunzip) as Decoder,
  deflate: promisify(inflate) as Decoder,
  br: promisify(brotliDecompress) as Decoder,
};

/** Most codings one body may be wrapped in (`gzip, br`): each one decoded costs a pass. */
const MAX_CODINGS = 2;

/**
 * The body with its Content-Encoding undone, at most `maxBytes` long once decoded.
 * @throws {@link BodyReadError} 415 for an encoding other than gzip, x-gzip, deflate, br and identity (or more than
 * two of them), 413 past the limit once decoded, 400 for a body its encoding cannot read.
 */
export async function decodeContentEncoding(
  body: Uint8Array | string,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Uint8Array | string> {
  if (contentEncoding === undefined) return body;
  const codings = contentEncoding
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  if (codings.length === 0) return body;
  const unknown = codings.find((coding) => !Object.hasOwn(decoders, coding));
  if (unknown !== undefined || codings.length > MAX_CODINGS) {
    throw new BodyReadError(
      "unsupported-encoding",
      415,
      `Content-Encoding must be gzip, deflate, br or identity (at most ${MAX_CODINGS} of them)`,
    );
  }
  let bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  // The codings are listed in the order they were applied: undo the last first.
  for (const coding of codings.reverse()) {
    try {
      bytes = await decoders[coding](bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new BodyReadError("limit", 413, `body is over the limit of ${maxBytes} bytes once decoded (Content-Encoding ${coding})`);
      }
      throw new BodyReadError("encoding", 400, `body is not valid ${coding}, as its Content-Encoding says`);
    }
  }
  return bytes;
}
