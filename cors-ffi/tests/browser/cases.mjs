// The cases of the browser suite: each is one or more `fetch()` calls from
// a page origin to the API, against policy.corspolicy.in. The harness gives
// every case a path of its own under `scope`, so no preflight cache entry
// is shared between cases; `tail` is the last segment (the upstream reads
// it: status-NNN, redirect-same, redirect-cross, reflect).
//
// Page origins (all served by one page server; names map to 127.0.0.1
// through Chromium's --host-resolver-rules):
//   app    http://app.example.test:PAGE      allowed by most policies
//   sub    http://a.sub.example.test:PAGE    `*.sub.example.test`
//   deep   http://x.y.sub.example.test:PAGE  `*.` is any depth
//   apex   http://sub.example.test:PAGE      never the apex
//   lookalike http://evilsub.example.test:PAGE
//   evil   http://evil.test:PAGE
//   localhost http://localhost:PAGE, localhost2 on the second page port
//   ip     http://127.0.0.1:PAGE, ip2 on the second page port
//   app2   http://app.example.test:PAGE2     a port the policy does not list
//   null   a sandboxed iframe (opaque origin: `Origin: null`) in `ip`

const json = { "content-type": "application/json" };
const READ = ["x-request-id", "x-secret", "content-type", "content-language"];

/** Request kinds, as a page writes them. */
const KINDS = {
  get: { method: "GET" },
  "post-text": { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" },
  "post-json": { method: "POST", headers: json, body: '{"a":1}' },
  put: { method: "PUT", headers: json, body: "{}" },
  delete: { method: "DELETE" },
  patch: { method: "PATCH", body: "x" },
  "patch-lower": { method: "patch", body: "x" },
  custom: { method: "GET", headers: { "x-custom": "1" } },
  "custom-denied": { method: "GET", headers: { "x-other": "1" } },
  authorization: { method: "GET", headers: { authorization: "Bearer t" } },
  head: { method: "HEAD" },
  options: { method: "OPTIONS" },
};

function cases() {
  const out = [];
  const add = (c) => out.push({ credentials: "same-origin", mode: "cors", tail: "r", repeat: 1, read: READ, ...c });

  // The credentialed API from every kind of origin, with and without
  // credentials.
  for (const page of ["app", "sub", "deep", "apex", "lookalike", "evil", "localhost", "app2", "ip"]) {
    for (const kind of ["get", "post-json", "put"]) {
      add({ name: `cred ${kind} from ${page}`, page, scope: "/cred/", ...KINDS[kind] });
    }
    add({ name: `cred credentialed get from ${page}`, page, scope: "/cred/", credentials: "include", ...KINDS.get });
  }
  for (const kind of ["post-text", "delete", "patch", "patch-lower", "custom", "custom-denied", "authorization", "head", "options"]) {
    add({ name: `cred ${kind} from app`, page: "app", scope: "/cred/", ...KINDS[kind] });
  }
  add({ name: "cred credentialed put from app", page: "app", scope: "/cred/", credentials: "include", ...KINDS.put });
  add({ name: "cred credentialed authorization from sub", page: "sub", scope: "/cred/", credentials: "include", ...KINDS.authorization });
  add({ name: "cred credentialed put from localhost2", page: "localhost2", scope: "/cred/", credentials: "include", ...KINDS.put });

  // Public policy: `*` for origins, headers and exposure.
  for (const kind of ["get", "put", "custom", "authorization"]) {
    add({ name: `open ${kind} from evil`, page: "evil", scope: "/open/", ...KINDS[kind] });
  }
  add({ name: "open credentialed get from evil", page: "evil", scope: "/open/", credentials: "include", ...KINDS.get });
  add({ name: "open credentialed put from evil", page: "evil", scope: "/open/", credentials: "include", ...KINDS.put });
  add({ name: "open get from null", page: "null", scope: "/open/", ...KINDS.get });
  add({ name: "open put from null", page: "null", scope: "/open/", ...KINDS.put });
  add({ name: "open no-cors post from evil", page: "evil", scope: "/open/", mode: "no-cors", ...KINDS["post-text"] });

  // `allow-headers *` without credentials.
  for (const kind of ["custom", "authorization", "put", "delete"]) {
    add({ name: `star ${kind} from app`, page: "app", scope: "/star/", ...KINDS[kind] });
  }

  // Ports: exactly one.
  for (const page of ["ip", "ip2", "localhost"]) {
    add({ name: `port put from ${page}`, page, scope: "/port/", ...KINDS.put });
  }
  add({ name: "port get from ip2", page: "ip2", scope: "/port/", ...KINDS.get });

  // The opaque origin.
  for (const kind of ["get", "put", "custom"]) {
    add({ name: `null ${kind} from null`, page: "null", scope: "/null/", ...KINDS[kind] });
  }
  add({ name: "null get from app", page: "app", scope: "/null/", ...KINDS.get });
  add({ name: "cred get from null", page: "null", scope: "/cred/", ...KINDS.get });

  // Methods are case-sensitive.
  add({ name: "lower patch-lower from app", page: "app", scope: "/lower/", ...KINDS["patch-lower"] });
  add({ name: "lower patch from app", page: "app", scope: "/lower/", ...KINDS.patch });

  // Preflight caching: the second fetch within max-age sends no preflight.
  add({ name: "cache max-age 10m", page: "app", scope: "/cred/", repeat: 2, ...KINDS.put });
  add({ name: "cache max-age 0", page: "app", scope: "/nocache/", repeat: 2, ...KINDS.put, headers: { "x-custom": "1" } });
  add({ name: "cache default (no max-age)", page: "evil", scope: "/open/", repeat: 2, ...KINDS.put });

  // Redirects, statuses, a path no policy covers, an upstream that
  // answers CORS itself.
  add({ name: "redirect same-origin get from app", page: "app", scope: "/cred/", tail: "redirect-same", ...KINDS.get });
  add({ name: "redirect same-origin put from app", page: "app", scope: "/cred/", tail: "redirect-same", ...KINDS.put });
  add({ name: "redirect cross-origin get from app", page: "app", scope: "/cred/", tail: "redirect-cross", ...KINDS.get });
  add({ name: "redirect cross-origin get from evil (open)", page: "evil", scope: "/open/", tail: "redirect-cross", ...KINDS.get });
  for (const status of [401, 404, 500, 503]) {
    add({ name: `status ${status} get from app`, page: "app", scope: "/cred/", tail: `status-${status}`, ...KINDS.get });
  }
  add({ name: "status 500 put from app", page: "app", scope: "/cred/", tail: "status-500", ...KINDS.put });
  add({ name: "status 404 get from evil", page: "evil", scope: "/cred/", tail: "status-404", ...KINDS.get });
  add({ name: "no policy get from app", page: "app", scope: "/private/", ...KINDS.get });
  add({ name: "no policy put from app", page: "app", scope: "/private/", ...KINDS.put });
  add({ name: "upstream reflects, denied origin", page: "evil", scope: "/cred/", tail: "reflect", credentials: "include", ...KINDS.get });
  add({ name: "upstream reflects, allowed origin", page: "app", scope: "/cred/", tail: "reflect", credentials: "include", ...KINDS.get });
  add({ name: "upstream reflects, opaque origin", page: "null", scope: "/port/", tail: "reflect", ...KINDS.get });

  return out.map((c, i) => ({ ...c, id: `c${String(i).padStart(3, "0")}` }));
}

export const CASES = cases();
