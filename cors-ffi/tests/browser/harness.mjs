// The servers of the browser suite, all on 127.0.0.1 and on ports the
// kernel picks: the page server (every page origin is a name for it), the
// upstream application behind the corsc host, and the hosts themselves.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const ROOT = path.resolve(import.meta.dirname, "../../..");

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

/** A blank HTML page at `/` for every host name that maps to it. */
export async function startPageServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>corsc browser suite</title><body>page</body>");
  });
  const port = await listen(server);
  return { port, stop: () => new Promise((r) => server.close(r)) };
}

/** Response headers of the upstream that a page may or may not read. */
export const UPSTREAM_HEADERS = {
  "content-type": "text/plain",
  "content-language": "en",
  "x-request-id": "42",
  "x-secret": "s3cret",
};

/**
 * Answers given by the upstream itself, without corsc, for the suite's
 * checks of what Chromium does with headers corsc never sends (the
 * assumptions corsc and fetch-model.mjs make). Each takes the request and
 * gives the status and CORS headers.
 */
export const FACTS = {
  // `Access-Control-Allow-Headers: *`, which corsc never sends for a
  // request that asks for Authorization.
  "star-headers": (req) =>
    req.method === "OPTIONS"
      ? {
          status: 204,
          headers: {
            "access-control-allow-origin": req.headers.origin,
            "access-control-allow-methods": "GET",
            "access-control-allow-headers": "*",
            "access-control-allow-credentials": "true",
          },
        }
      : {
          status: 200,
          headers: { "access-control-allow-origin": req.headers.origin, "access-control-allow-credentials": "true" },
        },
  // `*` for origin with credentials, and two Access-Control-Allow-Origin
  // values: both must fail.
  "star-origin": () => ({
    status: 200,
    headers: { "access-control-allow-origin": "*", "access-control-allow-credentials": "true" },
  }),
  "two-origins": (req) => ({
    status: 200,
    headers: { "access-control-allow-origin": `${req.headers.origin}, ${req.headers.origin}` },
  }),
  // A preflight answered 200 with a 2xx other than 204, and one answered
  // with a redirect status.
  "preflight-299": (req) => ({
    status: req.method === "OPTIONS" ? 299 : 200,
    headers: { "access-control-allow-origin": req.headers.origin, "access-control-allow-methods": "PUT" },
  }),
  "preflight-302": (req) => ({
    status: req.method === "OPTIONS" ? 302 : 200,
    headers: { "access-control-allow-origin": req.headers.origin, "access-control-allow-methods": "PUT" },
  }),
};

/**
 * The application behind the host. What it answers depends on the path:
 * `.../status-NNN` answers NNN; `.../redirect-same` redirects (307) to the
 * same path with `-target` appended on the same API origin,
 * `.../redirect-cross` to it on the other name of the API
 * (`otherApiOrigin`, set once the host is up: 127.0.0.1 and localhost are
 * different origins); `.../reflect` adds its own permissive
 * CORS headers (the origin reflected, credentials true), which the host
 * must not let through for an origin the policy denies.
 */
export async function startUpstream() {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = req.url;
      seen.push({
        method: req.method,
        uri: new URL(url, "http://x").pathname,
        origin: req.headers.origin ?? "",
        acrm: req.headers["access-control-request-method"] ?? "",
        acrh: req.headers["access-control-request-headers"] ?? "",
      });
      const fact = /\/facts\/([a-z0-9-]+)$/.exec(url);
      if (fact) {
        const answer = FACTS[fact[1]](req);
        seen.at(-1).status = String(answer.status);
        seen.at(-1).headers = Object.entries(answer.headers);
        res.writeHead(answer.status, { ...UPSTREAM_HEADERS, ...answer.headers });
        res.end();
        return;
      }
      const headers = { ...UPSTREAM_HEADERS };
      let status = 200;
      const code = /\/status-(\d{3})/.exec(url);
      if (code) status = Number(code[1]);
      if (/\/redirect-same$/.test(url)) {
        status = 307;
        headers.location = `${url}-target`;
      } else if (/\/redirect-cross$/.test(url)) {
        status = 307;
        headers.location = `${upstream.otherApiOrigin}${url}-target`;
      } else if (/\/reflect$/.test(url)) {
        headers["access-control-allow-origin"] = req.headers.origin ?? "*";
        headers["access-control-allow-credentials"] = "true";
        headers["access-control-expose-headers"] = "X-Secret";
      }
      res.writeHead(status, headers);
      res.end(req.method === "HEAD" ? undefined : `upstream ${req.method} ${url}\n`);
    });
  });
  const port = await listen(server);
  const upstream = { port, seen, otherApiOrigin: null, stop: () => new Promise((r) => server.close(r)) };
  return upstream;
}

/** A free loopback port (for servers that cannot report the one they got). */
export async function freePort() {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}

/** The `corsc` binary that `cargo build -p corsc` (or `cargo test`) left. */
export function corscBinary() {
  const built = path.join(ROOT, "target/debug/corsc");
  if (!existsSync(built)) {
    execFileSync("cargo", ["build", "--quiet", "-p", "corsc"], { cwd: ROOT, stdio: "inherit" });
  }
  return built;
}

/** A temporary directory, removed by `remove()`. */
export function tempDir(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `corsc-browser-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// `$sent_http_*` variables of the CORS headers a host sends, logged beside
// the request so that every response the browser judged can be compared
// with corsc's answer.
const SENT = [
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-expose-headers",
  "access-control-max-age",
];

/**
 * nginx with the corsc module (cors-ffi/nginx/build.sh builds it, from the
 * staticlib `cargo test` left when there is one), in front of `upstream`,
 * with `policyFile`. `requests()` parses its access log: one entry per
 * request, with what the browser sent and the CORS headers nginx sent.
 */
export async function startNginx({ policyFile, upstreamPort }) {
  const module = buildNginxModule();
  const { dir, remove } = tempDir("nginx");
  const port = await freePort();
  const sent = SENT.map((h) => `"${h}":"$sent_http_${h.replaceAll("-", "_")}"`).join(",");
  const conf = `load_module ${module};
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
    log_format cors escape=json '{"request":"$request","method":"$request_method","uri":"$uri","origin":"$http_origin",'
        '"acrm":"$http_access_control_request_method","acrh":"$http_access_control_request_headers",'
        '"status":"$status","decision":"$cors_decision","sent":{${sent}}}';
    access_log ${dir}/access.log cors;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    cors_policy ${policyFile};
    server {
        listen 127.0.0.1:${port};
        cors on;
        location / {
            proxy_pass http://127.0.0.1:${upstreamPort};
            proxy_set_header Host $http_host;
        }
    }
}
`;
  writeFileSync(path.join(dir, "nginx.conf"), conf);
  const args = ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")];
  let server;
  try {
    server = await startServer("nginx", "nginx", args, port, { seconds: 10, signal: "SIGQUIT" });
  } catch (error) {
    throw new Error(`${error.message}\n${readLog(path.join(dir, "error.log"))}`);
  }
  const logFile = path.join(dir, "access.log");
  return {
    name: "nginx",
    origin: `http://127.0.0.1:${port}`,
    otherOrigin: `http://localhost:${port}`,
    errorLog: () => readLog(path.join(dir, "error.log")),
    requests: () =>
      readLog(logFile)
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l)),
    stop: async () => {
      await server.stop();
      remove();
    },
  };
}

function readLog(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * Spawns a server and resolves once it accepts connections on `port`, or
 * fails after `seconds` (killing it) or when it exits, with the last of
 * its output. `stop()` sends `signal`, then SIGKILL after 5 s.
 */
async function startServer(name, command, args, port, { seconds = 20, signal = "SIGTERM", ...options } = {}) {
  let output = "";
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const keep = (data) => (output = (output + data).slice(-20000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  child.on("exit", () => (exited = true));
  for (let i = 0; !(await canConnect(port)); i++) {
    if (exited) throw new Error(`${name} exited at start:\n${output}`);
    if (i >= seconds * 20) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not start listening within ${seconds} s:\n${output}`);
    }
    await sleep(50);
  }
  return {
    stop: async () => {
      child.kill(signal);
      for (let i = 0; i < 100 && !exited; i++) await sleep(50);
      if (!exited) child.kill("SIGKILL");
    },
  };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function buildNginxModule() {
  if (process.env.CORS_NGINX_MODULE) return process.env.CORS_NGINX_MODULE;
  const env = { ...process.env };
  const staticlib = path.join(ROOT, "target/debug/deps/libcors_ffi.a");
  if (existsSync(staticlib)) {
    // The same library and build directory as `cargo test`'s nginx tests,
    // so that build.sh's cache answers.
    env.CORS_FFI_LIB = staticlib;
    env.CORS_NGINX_BUILD = path.join(ROOT, "target/debug/nginx-module");
  }
  const out = execFileSync(path.join(ROOT, "cors-ffi/nginx/build.sh"), {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.toString().trim();
}

/**
 * A recording proxy in front of a host that keeps no log of its own: it
 * forwards every request unchanged and records, as nginx's log does, what
 * the browser sent and the CORS headers the host answered. A request it
 * cannot parse (Node, like nginx, refuses a method that is not upper case)
 * is answered 400 by the proxy itself and recorded with an empty `uri` and
 * `refusedBy: "proxy"`: the host behind never sees it.
 */
async function startRecordingProxy(targetPort) {
  const log = [];
  const server = http.createServer((req, res) => {
    const entry = {
      request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
      method: req.method,
      uri: new URL(req.url, "http://x").pathname,
      origin: req.headers.origin ?? "",
      acrm: req.headers["access-control-request-method"] ?? "",
      acrh: req.headers["access-control-request-headers"] ?? "",
    };
    const forward = http.request(
      { host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        entry.status = String(answer.statusCode);
        entry.sent = Object.fromEntries(SENT.map((h) => [h, [answer.headers[h] ?? []].flat().join(", ")]));
        log.push(entry);
        res.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    forward.on("error", (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  server.on("clientError", (err, socket) => {
    const line = (err.rawPacket ?? Buffer.alloc(0)).toString("latin1").split("\r\n")[0];
    const sent = Object.fromEntries(SENT.map((h) => [h, ""]));
    log.push({ request: line, method: "", uri: "", origin: "", acrm: "", acrh: "", status: "400", refusedBy: "proxy", sent });
    socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  const port = await listen(server);
  return { port, requests: () => log.slice(), stop: () => new Promise((r) => server.close(r)) };
}

/**
 * The wasm module in the Cloudflare Workers runtime: npm's `workerd` runs
 * cors-ffi/wasm/example-worker.mjs unmodified (with corsc.mjs, the module
 * scripts/cross-check built, and the compiled policy as `api.table`), its
 * `ORIGIN` binding pointing at the upstream, behind a recording proxy.
 */
export async function startWorkerd({ table, upstreamPort }) {
  const wasm = path.join(ROOT, "target/cross/corsc.wasm");
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run scripts/cross-check first`);
  const { dir, remove } = tempDir("workerd");
  for (const file of ["example-worker.mjs", "corsc.mjs"]) {
    writeFileSync(path.join(dir, file), readFileSync(path.join(ROOT, "cors-ffi/wasm", file)));
  }
  writeFileSync(path.join(dir, "corsc.wasm"), readFileSync(wasm));
  writeFileSync(path.join(dir, "api.table"), readFileSync(table));
  const port = await freePort();
  writeFileSync(
    path.join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "example-worker.mjs", esModule = embed "example-worker.mjs"),
    (name = "corsc.mjs", esModule = embed "corsc.mjs"),
    (name = "corsc.wasm", wasm = embed "corsc.wasm"),
    (name = "api.table", data = embed "api.table"),
  ],
  bindings = [ (name = "ORIGIN", text = "http://127.0.0.1:${upstreamPort}") ],
  globalOutbound = "loopback",
  compatibilityDate = "2024-09-23",
);
`,
  );
  const binary = path.join(import.meta.dirname, "node_modules/.bin/workerd");
  const server = await startServer("workerd", binary, ["serve", path.join(dir, "config.capnp")], port);
  const proxy = await startRecordingProxy(port);
  return {
    name: "workerd",
    origin: `http://127.0.0.1:${proxy.port}`,
    otherOrigin: `http://localhost:${proxy.port}`,
    requests: proxy.requests,
    stop: async () => {
      await proxy.stop();
      await server.stop();
      remove();
    },
  };
}

/**
 * corsc.django.CorsMiddleware in a Django project (django_host/) served by
 * `manage.py runserver`-equivalent `python -m django runserver`, its one
 * view forwarding to the upstream, behind a recording proxy. Python is the
 * virtual environment scripts/test-python builds (CORSC_PYTHON overrides).
 */
export async function startDjango({ policyFile, upstreamPort }) {
  const python = process.env.CORSC_PYTHON ?? path.join(ROOT, "target/python-venv/bin/python");
  const project = path.join(import.meta.dirname, "django_host");
  const port = await freePort();
  const django = await startDjangoProject(python, project, "settings", port, {
    CORSC_POLICY: policyFile,
    CORSC_UPSTREAM: `http://127.0.0.1:${upstreamPort}`,
  });
  const proxy = await startRecordingProxy(port);
  return {
    name: "django",
    origin: `http://127.0.0.1:${proxy.port}`,
    otherOrigin: `http://localhost:${proxy.port}`,
    requests: proxy.requests,
    stop: async () => {
      await proxy.stop();
      await django.stop();
    },
  };
}

/**
 * `python -m django runserver 127.0.0.1:PORT --noreload` in `project`
 * with DJANGO_SETTINGS_MODULE=`settingsModule`; resolves once it listens.
 */
export async function startDjangoProject(python, project, settingsModule, port, extraEnv = {}) {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/test-python first`);
  return startServer("django", python, ["-m", "django", "runserver", `127.0.0.1:${port}`, "--noreload"], port, {
    cwd: project,
    env: { ...process.env, PYTHONPATH: project, DJANGO_SETTINGS_MODULE: settingsModule, ...extraEnv },
  });
}

/**
 * corsc-tower's CorsLayer in an axum router (cors-ffi/tower/examples/
 * browser_host.rs) that forwards every request to the upstream, behind a
 * recording proxy. Built with cargo when target/debug/examples/browser_host
 * is missing.
 */
export async function startTower({ policyFile, upstreamPort }) {
  const binary = path.join(ROOT, "target/debug/examples/browser_host");
  if (!existsSync(binary)) {
    execFileSync("cargo", ["build", "--quiet", "-p", "corsc-tower", "--example", "browser_host"], {
      cwd: ROOT,
      stdio: "inherit",
    });
  }
  const port = await freePort();
  const server = await startServer("the tower host", binary, [], port, {
    env: {
      ...process.env,
      CORSC_POLICY: policyFile,
      CORSC_UPSTREAM: `http://127.0.0.1:${upstreamPort}`,
      PORT: String(port),
    },
  });
  const proxy = await startRecordingProxy(port);
  return {
    name: "tower",
    origin: `http://127.0.0.1:${proxy.port}`,
    otherOrigin: `http://localhost:${proxy.port}`,
    requests: proxy.requests,
    stop: async () => {
      await proxy.stop();
      await server.stop();
    },
  };
}

/** The corsc hosts the suite runs against, by name. */
export const HOSTS = {
  nginx: startNginx,
  workerd: startWorkerd,
  django: startDjango,
  tower: startTower,
};

/**
 * Debian's Chromium, headless, with a fresh profile, no background
 * networking (the machine has no internet), and the suite's page names
 * resolved to loopback.
 */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP *.example.test 127.0.0.1, MAP example.test 127.0.0.1, MAP evil.test 127.0.0.1",
    ],
  });
}
