// What corsc decided, turned into what the page would observe, by the
// Fetch standard's CORS checks (https://fetch.spec.whatwg.org/#cors-check,
// #cors-preflight-fetch, #cors-preflight-cache). The input is corsc's own
// answer (`corsc explain --json`) for each request the browser sent, so a
// disagreement with the browser is a disagreement with corsc.

/** Response headers a page can always read (Fetch: CORS-safelisted). */
const SAFELISTED_RESPONSE_HEADERS = new Set([
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
]);

/** Chromium's preflight cache: 5 s without a max-age, at most 2 h. */
export const DEFAULT_MAX_AGE = 5;
const MAX_MAX_AGE = 7200;

function header(explained, name) {
  const found = explained.headers.filter(([n]) => n === name);
  if (found.length !== 1) return null;
  return found[0][1];
}

function list(value) {
  if (value === null) return [];
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** Fetch's CORS check: `null` when it passes, else why not. */
export function corsCheck(explained, origin, credentials) {
  const allowOrigin = header(explained, "access-control-allow-origin");
  if (allowOrigin === null) return "no Access-Control-Allow-Origin";
  if (allowOrigin === "*" && credentials !== "include") return null;
  if (allowOrigin !== origin) return `Access-Control-Allow-Origin is ${allowOrigin}, not ${origin}`;
  if (credentials !== "include") return null;
  if (header(explained, "access-control-allow-credentials") !== "true") {
    return "credentialed, but no Access-Control-Allow-Credentials: true";
  }
  return null;
}

/**
 * A preflight's answer, judged as Fetch judges it: `null` when the actual
 * request may follow, else why not. `method` and `requestHeaders` are what
 * the browser asked for (Access-Control-Request-Method and -Headers).
 */
export function preflightCheck(explained, { origin, credentials, method, requestHeaders }) {
  const status = explained.status ?? 200;
  if (status < 200 || status > 299) return `preflight status ${status}`;
  const cors = corsCheck(explained, origin, credentials);
  if (cors) return cors;
  const methods = list(header(explained, "access-control-allow-methods"));
  const wildcard = credentials !== "include";
  if (!methods.includes(method) && !["GET", "HEAD", "POST"].includes(method)) {
    if (!(wildcard && methods.includes("*"))) return `method ${method} not in Access-Control-Allow-Methods`;
  }
  const allowed = list(header(explained, "access-control-allow-headers")).map((h) => h.toLowerCase());
  for (const name of list(requestHeaders).map((h) => h.toLowerCase())) {
    if (allowed.includes(name)) continue;
    // `*` never covers Authorization.
    if (wildcard && allowed.includes("*") && name !== "authorization") continue;
    return `header ${name} not in Access-Control-Allow-Headers`;
  }
  return null;
}

/** Whether a logged preflight (`{ request, explained }`) passes. */
export function preflightPasses({ request, explained }, credentials) {
  return (
    preflightCheck(explained, {
      origin: request.origin || "null",
      credentials,
      method: request.acrm,
      requestHeaders: request.acrh,
    }) === null
  );
}

/** How long the browser caches an allowed preflight, in seconds. */
export function preflightCacheSeconds(explained) {
  const value = header(explained, "access-control-max-age");
  if (value === null) return DEFAULT_MAX_AGE;
  return Math.min(Number(value), MAX_MAX_AGE);
}

/** Whether the page can read response header `name` of a final response. */
export function readable(explained, name, credentials) {
  name = name.toLowerCase();
  if (SAFELISTED_RESPONSE_HEADERS.has(name)) return true;
  const exposed = list(header(explained, "access-control-expose-headers")).map((h) => h.toLowerCase());
  if (exposed.includes(name)) return true;
  return credentials !== "include" && exposed.includes("*") && name !== "set-cookie";
}

/**
 * The outcome Fetch gives a page for one `fetch()`, from corsc's answers
 * to the requests the browser sent for it, in order: each entry is
 * `{ request, explained }` (`explained` is `null` for a request the host
 * refused before corsc ran). A preflight is an OPTIONS with
 * Access-Control-Request-Method; a 3xx with a Location is a redirect the
 * browser follows after checking it. Returns `{ ok, why, final }`: `final`
 * is corsc's answer to the final response, `null` when the browser
 * stopped where Fetch says it goes on (then `ok` is what Fetch predicts,
 * so the browser's failure is a disagreement).
 */
export function predict(exchanges, credentials) {
  if (exchanges.length === 0) return { ok: false, why: "the browser sent nothing" };
  for (const [i, { request, explained }] of exchanges.entries()) {
    const origin = request.origin || "null";
    // A request the host refused before corsc saw it (nginx answers a
    // method it cannot parse with 400): no CORS headers at all.
    if (explained === null) {
      const who = request.refusedBy === "proxy" ? "the suite's recording proxy" : "the host";
      return { ok: false, why: `${who} answered ${request.status} before corsc ran` };
    }
    const last = i === exchanges.length - 1;
    if (request.method === "OPTIONS" && request.acrm) {
      const why = preflightCheck(explained, {
        origin,
        credentials,
        method: request.acrm,
        requestHeaders: request.acrh,
      });
      if (why) return { ok: false, why: `preflight: ${why}` };
      // Allowed: the browser must send the actual request.
      if (last) return { ok: true, final: null, why: "preflight allowed, but the browser sent no actual request" };
      continue;
    }
    const why = corsCheck(explained, origin, credentials);
    if (why) return { ok: false, why };
    const status = Number(request.status);
    if (status >= 300 && status <= 399) {
      if (last) return { ok: true, final: null, why: "redirect allowed, but the browser did not follow it" };
      continue;
    }
    if (!last) return { ok: false, why: "requests after a final response" };
    return { ok: true, final: explained };
  }
  return { ok: false, why: "unreachable" };
}
