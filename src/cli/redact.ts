/**
 * URLs as the CLI and its logs may print them: without the secrets a callback or Redis URL carries. A callback
 * URL holds the listener's secret (`?token=`, or a path segment) and any URL may hold credentials
 * (`user:password@`); printed, they end up in terminals, CI logs and bug reports.
 */

/** What {@link redactUrl} hides besides the userinfo. */
export interface RedactOptions {
  /** Query parameters whose values are secrets. Default `["token"]`, the listener's default secret parameter. */
  params?: readonly string[];
  /** The last path segment is a secret (a listener whose `secret` is `{ in: "path" }`). Default false. */
  pathSecret?: boolean;
}

/** What stands in for a secret. */
export const REDACTED = "***";

const DEFAULT_PARAMS = ["token"];

/**
 * `url` with its username, password and secret query parameters (and, with `pathSecret`, its last path
 * segment) replaced by `***`. Takes a whole URL (`https://user:pw@host/cb?token=t`), a request target as
 * `req.url` has it (`/cb?token=t`), or text that is not a URL at all, whose `user:pw@` and `token=` are
 * hidden as they are found. Everything else is printed as it was given.
 */
export function redactUrl(url: string | URL, options: RedactOptions = {}): string {
  const params = options.params ?? DEFAULT_PARAMS;
  const text = typeof url === "string" ? url : url.href;
  // Replaced in the text as given, not in the parser's serialisation, so that nothing else changes.
  const relative = text.startsWith("/");
  const parsed = URL.canParse(text) ? new URL(text) : relative && URL.canParse(text, "http://x") ? new URL(text, "http://x") : undefined;
  if (parsed === undefined) return redactText(text, params);
  const query = text.indexOf("?");
  const fragment = text.indexOf("#", query < 0 ? 0 : query);
  const end = fragment < 0 ? text.length : fragment;
  let head = query < 0 ? text.slice(0, end) : text.slice(0, query);
  const search = query < 0 ? "" : text.slice(query, end);
  if (!relative && (parsed.username !== "" || parsed.password !== "")) head = head.replace(/^([^:/?#]+:\/\/)[^@/?#]*@/, `$1${REDACTED}@`);
  if (options.pathSecret === true) {
    const path = relative ? 0 : head.indexOf("/", head.indexOf("//") + 2);
    if (path >= 0) head = head.slice(0, path) + head.slice(path).replace(/\/[^/]+(\/?)$/, `/${REDACTED}$1`);
  }
  return head + redactQuery(search, params) + text.slice(end);
}

/** A query (`?a=1&token=t`) with the values of `params` hidden. */
function redactQuery(search: string, params: readonly string[]): string {
  if (search.length <= 1) return search;
  const pairs = search.slice(1).split("&").map((pair) => {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    return params.includes(decodeName(name)) ? `${name}=${REDACTED}` : pair;
  });
  return `?${pairs.join("&")}`;
}

/** A query parameter's name as a server reads it (`%74oken` is `token`); the text itself when it cannot be decoded. */
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}

/** Text that does not parse as a URL: userinfo before an `@` and the values of `params` are hidden where they appear. */
function redactText(text: string, params: readonly string[]): string {
  let redacted = text.replace(/\/\/[^/?#@\s]*@/g, `//${REDACTED}@`);
  for (const param of params) {
    const name = param.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    redacted = redacted.replace(new RegExp(`([?&]${name}=)[^&#\\s]*`, "g"), `$1${REDACTED}`);
  }
  return redacted;
}
