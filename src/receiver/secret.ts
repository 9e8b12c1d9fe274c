/**
 * The optional shared secret in the callback URL. CI callbacks carry no signature, so a secret only you and
 * the queue's callback URL know is the cheapest check that a POST comes from your CI configuration.
 * Compared in constant time (on SHA-256 digests, so the length of the secret does not leak either).
 */
import { nodeCrypto } from "./node-crypto";

/** Where the secret is in the callback URL, and its accepted values. */
export interface CallbackSecret {
  /** The secret; several during a rotation (configure CI with the new one, then drop the old one). */
  values: string | readonly string[];
  /**
   * `query` (default): a query parameter, `https://host/ci/callback?token=SECRET`.
   * `path`: the last path segment, `https://host/ci/callback/SECRET`.
   */
  in?: "query" | "path";
  /** Name of the query parameter. Default `token`. */
  param?: string;
}

/** A checker for one secret configuration: true when the URL carries an accepted secret. */
export type SecretCheck = (url: string) => boolean;

/** Builds the check; a plain string is a query parameter named `token`. */
export function createSecretCheck(secret: string | CallbackSecret): SecretCheck {
  const config = typeof secret === "string" ? { values: secret } : secret;
  const values = typeof config.values === "string" ? [config.values] : config.values;
  if (values.length === 0 || values.some((value) => value.length === 0)) {
    throw new TypeError("a callback secret must be a non-empty string");
  }
  const digests = values.map(digest);
  const where = config.in ?? "query";
  const param = config.param ?? "token";
  return (url) => {
    const presented = where === "query" ? queryValue(url, param) : lastPathSegment(url);
    if (presented === undefined) return false;
    const candidate = digest(presented);
    // Compare with every accepted value, without stopping early, so timing says nothing about which matched.
    let matched = false;
    for (const expected of digests) matched = nodeCrypto().timingSafeEqual(candidate, expected) || matched;
    return matched;
  };
}

function digest(text: string): Buffer {
  return nodeCrypto().createHash("sha256").update(text, "utf8").digest();
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url, "http://localhost");
  } catch {
    return undefined;
  }
}

function queryValue(url: string, param: string): string | undefined {
  return parse(url)?.searchParams.get(param) ?? undefined;
}

function lastPathSegment(url: string): string | undefined {
  const segments = parse(url)?.pathname.split("/").filter((segment) => segment !== "") ?? [];
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return undefined;
  }
}
