// Records what a real Chromium prints and saves for the fixtures of
// `corsc explain --console` and `--har` (see README.md beside this file):
//
//   npm ci --prefix cors-ffi/tests/browser
//   node cors-policy-lang/corsc/tests/chromium/record.mjs
//
// A page at http://localhost:5000 calls an API at http://127.0.0.1:8000
// whose every path answers one way a CORS exchange fails (the API here is
// deliberately not corsc: it makes each of Chromium's messages appear).
// Writes console.json (scenario → the console lines Chromium printed) and
// chromium.har (Playwright's recordHar of the same page). The ports are
// fixed so the fixtures are stable; PAGE_PORT and API_PORT change them.
import { writeFileSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";

import { launchChromium } from "../../../../cors-ffi/tests/browser/harness.mjs";

const PAGE_PORT = Number(process.env.PAGE_PORT ?? 5000);
const API_PORT = Number(process.env.API_PORT ?? 8000);
const PAGE = `http://localhost:${PAGE_PORT}`;
const API = `http://127.0.0.1:${API_PORT}`;
const OUT = import.meta.dirname;

// Each scenario: how the API answers, and what the page asks.
const SCENARIOS = {
  "no-allow-origin": { fetch: `fetch("${API}/no-allow-origin")` },
  "allow-origin-mismatch": { fetch: `fetch("${API}/allow-origin-mismatch")` },
  "multiple-allow-origin": { fetch: `fetch("${API}/multiple-allow-origin")` },
  "wildcard-with-credentials": { fetch: `fetch("${API}/wildcard", { credentials: "include" })` },
  "credentials-not-allowed": { fetch: `fetch("${API}/no-credentials", { credentials: "include" })` },
  "preflight-no-allow-origin": { fetch: `fetch("${API}/preflight-denied", { method: "PUT" })` },
  "preflight-status": { fetch: `fetch("${API}/preflight-500", { method: "PUT" })` },
  "method-not-allowed": { fetch: `fetch("${API}/method", { method: "DELETE" })` },
  "header-not-allowed": { fetch: `fetch("${API}/header", { headers: { "X-Api-Key": "k" } })` },
  "redirect": { fetch: `fetch("${API}/redirect")` },
  "preflight-redirect": { fetch: `fetch("${API}/preflight-redirect", { method: "PUT" })` },
  "xhr-no-allow-origin": {
    fetch: `new Promise((resolve) => { const x = new XMLHttpRequest(); x.open("GET", "${API}/no-allow-origin?xhr"); x.onloadend = resolve; x.send(); })`,
  },
  "connection-refused": { fetch: `fetch("http://127.0.0.1:${API_PORT + 1}/nothing")` },
  "allowed": { fetch: `fetch("${API}/allowed", { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" })` },
};

function api(req, res) {
  const url = new URL(req.url, API);
  const origin = req.headers.origin ?? "";
  const preflight = req.method === "OPTIONS";
  const send = (status, headers = {}) => {
    res.writeHead(status, { "content-type": "text/plain", ...headers });
    res.end(preflight ? "" : "ok");
  };
  switch (url.pathname) {
    case "/allow-origin-mismatch":
      return send(200, { "access-control-allow-origin": "https://app.example.com" });
    case "/multiple-allow-origin":
      return send(200, { "access-control-allow-origin": `${origin}, ${origin}` });
    case "/wildcard":
      return send(200, { "access-control-allow-origin": "*" });
    case "/no-credentials":
      return send(200, { "access-control-allow-origin": origin });
    case "/preflight-denied":
      return send(403);
    case "/preflight-500":
      return send(preflight ? 500 : 200, { "access-control-allow-origin": origin });
    case "/method":
      return send(preflight ? 204 : 200, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, POST",
      });
    case "/header":
      return send(preflight ? 204 : 200, {
        "access-control-allow-origin": origin,
        "access-control-allow-headers": "Content-Type",
      });
    case "/redirect":
      return send(302, { location: `http://localhost:${API_PORT}/no-allow-origin`, "access-control-allow-origin": origin });
    case "/preflight-redirect":
      return send(302, { location: `${API}/allowed` });
    case "/allowed":
      return send(preflight ? 204 : 200, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "Content-Type",
        vary: "Origin",
      });
    default:
      return send(200);
  }
}

const listen = (server, port) => new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const close = (server) => new Promise((resolve) => server.close(resolve));

const apiServer = http.createServer(api);
const pageServer = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end("<!doctype html><title>page</title><p>page");
});
await listen(apiServer, API_PORT);
await listen(pageServer, PAGE_PORT);
const harPath = path.join(OUT, "chromium.har");
const browser = await launchChromium();
const recorded = { chromium: browser.version(), page: PAGE, api: API, messages: {} };
try {
  const context = await browser.newContext({ recordHar: { path: harPath, content: "omit" } });
  const page = await context.newPage();
  await page.goto(`${PAGE}/`);
  for (const [name, { fetch }] of Object.entries(SCENARIOS)) {
    const lines = [];
    const listener = (m) => lines.push(m.text());
    page.on("console", listener);
    await page.evaluate(`(${fetch}).then(() => {}, () => {})`);
    await page.waitForTimeout(300);
    page.off("console", listener);
    recorded.messages[name] = lines;
  }
  await context.close();
  // Pages elsewhere: an https: page (served by Playwright's route, so it has
  // no address space of its own) for mixed content and Local Network Access,
  // and a file: page for the schemes without CORS.
  const other = await browser.newContext();
  const secure = await other.newPage();
  await secure.route("https://secure.example.test/", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><p>secure" }),
  );
  await secure.goto("https://secure.example.test/");
  const elsewhere = {
    "mixed-content": [secure, `fetch("http://api.example.test:${API_PORT}/no-allow-origin")`],
    "local-network-access": [secure, `fetch("${API}/allowed")`],
  };
  const file = await other.newPage();
  await file.goto(`file://${harPath}`);
  elsewhere["file-scheme"] = [file, `fetch("file:///etc/hostname")`];
  for (const [name, [where, fetch]] of Object.entries(elsewhere)) {
    const lines = [];
    const listener = (m) => lines.push(m.text());
    where.on("console", listener);
    await where.evaluate(`(${fetch}).then(() => {}, () => {})`);
    await where.waitForTimeout(300);
    where.off("console", listener);
    recorded.messages[name] = lines;
  }
  await other.close();
} finally {
  await browser.close();
  await close(apiServer);
  await close(pageServer);
}
// The HAR names the machine's Chromium build; everything else is what it wrote.
const har = JSON.parse(readFileSync(harPath, "utf8"));
writeFileSync(harPath, JSON.stringify(har, null, 2) + "\n");
writeFileSync(path.join(OUT, "console.json"), JSON.stringify(recorded, null, 2) + "\n");
console.log(`recorded ${Object.keys(recorded.messages).length} scenarios with Chromium ${recorded.chromium}`);
rmSync(path.join(OUT, "chromium.har.tmp"), { force: true });
