// The browser is the oracle: headless Chromium runs every case of
// cases.mjs against the API served through a corsc host, and each test
// asserts that what the browser let the page see equals what corsc
// decided (corsc explain --json, judged by fetch-model.mjs), and that the
// host sent exactly corsc's headers.
//
//   npm ci --prefix cors-ffi/tests/browser && node --test cors-ffi/tests/browser/
//
// CORSC_BROWSER_HOSTS=nginx,workerd,django,tower (the default; comma-separated) picks
// the hosts; a report is
// written to target/browser-conformance.md.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { CASES } from "./cases.mjs";
import { predict, preflightCacheSeconds, preflightPasses, readable } from "./fetch-model.mjs";
import {
  HOSTS,
  launchChromium,
  ROOT,
  corscBinary,
  freePort,
  startDjangoProject,
  startPageServer,
  startUpstream,
  tempDir,
} from "./harness.mjs";

const hostNames = (process.env.CORSC_BROWSER_HOSTS ?? "nginx,workerd,django,tower").split(",").filter(Boolean);
const report = { chromium: null, hosts: {} };

for (const hostName of hostNames) {
  describe(`browser conformance: ${hostName}`, () => {
    const env = {};
    before(async () => {
      env.started = Date.now();
      env.corsc = corscBinary();
      env.pages = await startPageServer();
      env.pages2 = await startPageServer();
      env.upstream = await startUpstream();
      env.temp = tempDir("policy");
      const source = readFileSync(path.join(import.meta.dirname, "policy.corspolicy.in"), "utf8").replaceAll(
        "@PAGE@",
        String(env.pages.port),
      );
      env.policy = path.join(env.temp.dir, "browser.corspolicy");
      writeFileSync(env.policy, source);
      env.table = path.join(env.temp.dir, "browser.table");
      execFileSync(env.corsc, ["compile", env.policy, "-o", env.table], { stdio: ["ignore", "ignore", "pipe"] });
      env.host = await HOSTS[hostName]({ policyFile: env.policy, table: env.table, upstreamPort: env.upstream.port });
      env.upstream.otherApiOrigin = env.host.otherOrigin;
      env.browser = await launchChromium();
      report.chromium = env.browser.version();
      env.context = await env.browser.newContext();
      env.frames = new Map();
      env.explained = new Map();
      report.hosts[hostName] = { cases: [], seconds: null };
    });

    after(async () => {
      const entry = report.hosts[hostName];
      if (entry) entry.seconds = (Date.now() - env.started) / 1000;
      await env.browser?.close();
      await env.host?.stop();
      await env.upstream?.stop();
      await env.pages?.stop();
      await env.pages2?.stop();
      env.temp?.remove();
      writeReport();
    });

    const pageOrigin = (name) => {
      const p = env.pages.port;
      const p2 = env.pages2.port;
      return {
        app: `http://app.example.test:${p}`,
        sub: `http://a.sub.example.test:${p}`,
        deep: `http://x.y.sub.example.test:${p}`,
        apex: `http://sub.example.test:${p}`,
        lookalike: `http://evilsub.example.test:${p}`,
        evil: `http://evil.test:${p}`,
        localhost: `http://localhost:${p}`,
        localhost2: `http://localhost:${p2}`,
        ip: `http://127.0.0.1:${p}`,
        ip2: `http://127.0.0.1:${p2}`,
        app2: `http://app.example.test:${p2}`,
      }[name];
    };

    // One page per origin; `null` is a sandboxed iframe in the `ip` page.
    async function frameFor(name) {
      if (env.frames.has(name)) return env.frames.get(name);
      let frame;
      if (name === "null") {
        const page = (await frameFor("ip")).page();
        await page.evaluate(
          () =>
            new Promise((resolve) => {
              const iframe = document.createElement("iframe");
              iframe.sandbox = "allow-scripts";
              iframe.srcdoc = "<p>sandboxed";
              iframe.onload = resolve;
              document.body.appendChild(iframe);
            }),
        );
        frame = page.frames().find((f) => f !== page.mainFrame());
      } else {
        const page = await env.context.newPage();
        page.on("console", (m) => env.console?.push(m.text()));
        await page.goto(`${pageOrigin(name)}/`);
        frame = page.mainFrame();
      }
      env.frames.set(name, frame);
      return frame;
    }

    // The host's log for a case, once it has stopped growing.
    async function settle(prefix, since) {
      let last = -1;
      let stable = 0;
      for (let i = 0; i < 100; i++) {
        const seen = ofCase(env.host.requests().slice(since), prefix);
        if (seen.length === last) {
          if (++stable >= 3) return seen;
        } else {
          stable = 0;
          last = seen.length;
        }
        await sleep(25);
      }
      return ofCase(env.host.requests().slice(since), prefix);
    }

    // A request the host could not parse has no $uri; its request line
    // still names the case's path.
    function ofCase(requests, prefix) {
      return requests.filter((r) => r.uri.startsWith(prefix) || (r.uri === "" && r.request.includes(` ${prefix}`)));
    }

    // corsc's answer to a logged request; `null` for one the host refused
    // before corsc ran (no method or path was parsed).
    function explain(request) {
      if (request.uri === "" || request.method === "") return null;
      const args = [env.table, "--json", "--method", request.method, "--path", request.uri];
      if (request.origin) args.push("--origin", request.origin);
      if (request.acrm) args.push("--request-method", request.acrm);
      if (request.acrh) args.push("--request-headers", request.acrh);
      const key = args.join("\0");
      if (!env.explained.has(key)) {
        const out = execFileSync(env.corsc, ["explain", ...args], { stdio: ["ignore", "pipe", "pipe"] });
        env.explained.set(key, JSON.parse(out.toString()));
      }
      return env.explained.get(key);
    }

    if (hostName === "nginx") {
      // Found by case "lower patch-lower from app": nginx refuses a method
      // that is not upper case (400) before the module runs, so the module
      // says so where the policy's CORS0052 warning is logged.
      test("nginx explains why a lower-case method cannot work", () => {
        assert.match(
          env.host.errorLog(),
          /warning\[CORS0052\][^\n]*\n(?:.*\n)*?.*400 Bad Request before any module runs/,
        );
      });
    }

    for (const c of CASES) {
      test(`${c.id} ${c.name}`, async () => {
        const frame = await frameFor(c.page);
        const prefix = `${c.scope}${c.id}/`;
        const url = `${env.host.origin}${prefix}${c.tail}`;
        const init = { method: c.method, headers: c.headers ?? {}, credentials: c.credentials, mode: c.mode };
        if (c.body !== undefined) init.body = c.body;
        const record = { id: c.id, name: c.name, fetches: [] };
        report.hosts[hostName].cases.push(record);
        let firstPreflight = null;
        for (let round = 0; round < c.repeat; round++) {
          const since = env.host.requests().length;
          env.console = [];
          const observed = await frame.evaluate(
            async ({ url, init, read }) => {
              try {
                const r = await fetch(url, init);
                const body = r.type === "opaque" ? "" : await r.text();
                const headers = Object.fromEntries(read.map((n) => [n, r.headers.get(n)]));
                return { ok: true, type: r.type, status: r.status, headers, body };
              } catch (e) {
                return { ok: false, error: String(e) };
              }
            },
            { url, init, read: c.read },
          );
          const sent = await settle(prefix, since);
          const exchanges = sent.map((request) => ({ request, explained: explain(request) }));
          const context = () =>
            `case ${c.id} "${c.name}" (round ${round + 1})\n` +
            `browser: ${JSON.stringify(observed)}\nconsole: ${JSON.stringify(env.console)}\n` +
            exchanges.map((e) => `sent ${JSON.stringify(e.request)}\ncorsc ${JSON.stringify(e.explained)}`).join("\n");

          // 1. The host sent exactly corsc's CORS headers.
          for (const { request, explained } of exchanges) {
            const expected = Object.fromEntries(
              Object.keys(request.sent).map((name) => {
                const values = (explained?.headers ?? []).filter(([n]) => n === name).map(([, v]) => v);
                return [name, values.join(", ")];
              }),
            );
            assert.deepEqual(request.sent, expected, `the host's headers differ from corsc's\n${context()}`);
          }

          const preflights = exchanges.filter((e) => e.request.method === "OPTIONS" && e.request.acrm);
          const fetchRecord = {
            browser: observed.ok ? `ok ${observed.type} ${observed.status}` : "TypeError",
            preflights: preflights.length,
            decisions: exchanges.map((e) => e.explained?.decision ?? `${e.request.refusedBy ?? "host"} ${e.request.status}`),
          };
          record.fetches.push(fetchRecord);

          if (c.mode === "no-cors") {
            // CORS does not apply: an opaque response, never a preflight.
            assert.equal(observed.ok && observed.type, "opaque", context());
            assert.equal(preflights.length, 0, context());
            continue;
          }

          // 2. The page's outcome is corsc's decision, judged by Fetch.
          const predicted = predict(exchanges, c.credentials);
          fetchRecord.model = predicted.ok ? "ok" : predicted.why;
          assert.equal(observed.ok, predicted.ok, `browser and corsc disagree (${predicted.why ?? "corsc allows"})\n${context()}`);

          // 3. The page reads exactly the headers corsc exposes.
          if (observed.ok) {
            assert.ok(predicted.final, `the browser read a response corsc never answered\n${context()}`);
            for (const name of c.read) {
              const canRead = readable(predicted.final, name, c.credentials);
              assert.equal(observed.headers[name] !== null, canRead, `header ${name}\n${context()}`);
            }
            assert.equal(observed.status, Number(exchanges.at(-1).request.status), context());
          }

          // 4. A second fetch sends a preflight again only when corsc's
          //    answer to the first one did not let the browser cache it.
          if (round === 0) {
            firstPreflight = preflights[0] ?? null;
          } else if (firstPreflight && preflightPasses(firstPreflight, c.credentials)) {
            const cached = preflightCacheSeconds(firstPreflight.explained) > 0;
            assert.equal(preflights.length, cached ? 0 : 1, `preflight cache\n${context()}`);
          }
        }
      });
    }
  });
}

// What Chromium itself does with answers corsc never gives, straight from
// the upstream (no corsc): the assumptions fetch-model.mjs makes, checked
// against the browser, so that the model cannot agree with corsc by
// sharing a mistake.
const FACT_CASES = [
  { fact: "star-headers", name: "Allow-Headers * covers a custom header", method: "GET", headers: { "x-custom": "1" } },
  // The Fetch standard says `*` never covers Authorization; Chromium 156
  // still lets it (it only warns in DevTools). corsc follows the standard:
  // with `allow-headers *` it denies a preflight that asks for
  // Authorization (cases "open authorization" and "star authorization").
  // Pinned, so that a Chromium that starts enforcing it is noticed.
  {
    fact: "star-headers",
    name: "Allow-Headers * and Authorization",
    method: "GET",
    headers: { authorization: "Bearer t" },
    chromiumDiffers: "Chromium lets `*` cover Authorization; the Fetch standard (and corsc) do not",
  },
  { fact: "star-headers", name: "Allow-Headers * is literal with credentials", method: "GET", headers: { "x-custom": "1" }, credentials: "include" },
  { fact: "star-origin", name: "Allow-Origin * without credentials", method: "GET" },
  { fact: "star-origin", name: "Allow-Origin * with credentials", method: "GET", credentials: "include" },
  { fact: "two-origins", name: "two Allow-Origin values", method: "GET" },
  { fact: "preflight-299", name: "a preflight answered 299", method: "PUT" },
  { fact: "preflight-302", name: "a preflight answered 302", method: "PUT" },
];

describe("Chromium's own CORS checks (no corsc)", () => {
  const env = {};
  before(async () => {
    env.pages = await startPageServer();
    env.upstream = await startUpstream();
    env.browser = await launchChromium();
    env.page = await (await env.browser.newContext()).newPage();
    await env.page.goto(`http://app.example.test:${env.pages.port}/`);
    report.facts = [];
  });
  after(async () => {
    await env.browser?.close();
    await env.upstream?.stop();
    await env.pages?.stop();
    writeReport();
  });
  for (const [i, c] of FACT_CASES.entries()) {
    test(`fact ${i}: ${c.name}`, async () => {
      const credentials = c.credentials ?? "same-origin";
      const since = env.upstream.seen.length;
      const url = `http://127.0.0.1:${env.upstream.port}/f${i}/facts/${c.fact}`;
      const observed = await env.page.evaluate(
        async ({ url, init }) => {
          try {
            const r = await fetch(url, init);
            await r.text();
            return { ok: true, status: r.status };
          } catch (e) {
            return { ok: false, error: String(e) };
          }
        },
        { url, init: { method: c.method, headers: c.headers ?? {}, credentials } },
      );
      await sleep(50);
      const exchanges = env.upstream.seen.slice(since).map((request) => ({
        request,
        explained: { headers: request.headers, status: request.method === "OPTIONS" ? Number(request.status) : null },
      }));
      const predicted = predict(exchanges, credentials);
      report.facts.push({
        name: c.name,
        browser: observed.ok ? `ok ${observed.status}` : "TypeError",
        model: (predicted.ok ? "ok" : predicted.why) + (c.chromiumDiffers ? ` (${c.chromiumDiffers})` : ""),
      });
      assert.equal(
        observed.ok,
        c.chromiumDiffers ? !predicted.ok : predicted.ok,
        `Chromium and fetch-model.mjs disagree (${predicted.why ?? "allowed"})\n${JSON.stringify({ observed, exchanges })}`,
      );
    });
  }
});

// The Python package's quickstart, literally: its Django project and page
// (cors-ffi/python/examples/quickstart, the ports replaced by ones picked
// here). Without corsc's middleware, the console error the README quotes;
// with it, the page reads the users.
describe("the Python quickstart in Chromium", () => {
  const env = {};
  before(async () => {
    env.python = process.env.CORSC_PYTHON ?? path.join(ROOT, "target/python-venv/bin/python");
    env.temp = tempDir("quickstart");
    env.pagePort = await freePort();
    env.apiPort = await freePort();
    const example = path.join(ROOT, "cors-ffi/python/examples/quickstart");
    for (const file of ["settings.py", "urls.py", "cors.corspolicy", "index.html"]) {
      const text = readFileSync(path.join(example, file), "utf8")
        .replaceAll("127.0.0.1:5000", `127.0.0.1:${env.pagePort}`)
        .replaceAll("127.0.0.1:8000", `127.0.0.1:${env.apiPort}`);
      writeFileSync(path.join(env.temp.dir, file), text);
    }
    writeFileSync(
      path.join(env.temp.dir, "before.py"),
      'from settings import *  # noqa\nINSTALLED_APPS = []\nMIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("corsc")]\n',
    );
    const page = readFileSync(path.join(env.temp.dir, "index.html"));
    env.pages = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
    });
    await new Promise((resolve) => env.pages.listen(env.pagePort, "127.0.0.1", resolve));
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await new Promise((resolve) => (env.pages ? env.pages.close(resolve) : resolve()));
    env.temp?.remove();
  });

  async function run(settingsModule) {
    const django = await startDjangoProject(env.python, env.temp.dir, settingsModule, env.apiPort);
    try {
      const page = await (await env.browser.newContext()).newPage();
      const console = [];
      page.on("console", (m) => console.push(m.text()));
      await page.goto(`http://127.0.0.1:${env.pagePort}/`);
      await page.waitForFunction(() => document.getElementById("out").textContent !== "");
      const out = await page.textContent("#out");
      await page.close();
      return { out, console };
    } finally {
      await django.stop();
    }
  }

  test("without corsc: the console error of the README", async () => {
    const { out, console } = await run("before");
    assert.equal(out, "TypeError: Failed to fetch");
    const expected =
      `Access to fetch at 'http://127.0.0.1:${env.apiPort}/users' from origin 'http://127.0.0.1:${env.pagePort}' ` +
      "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    assert.ok(console.includes(expected), JSON.stringify(console));
  });

  test("with corsc.django.CorsMiddleware and the policy: the page reads the users", async () => {
    const { out, console } = await run("settings");
    assert.equal(out, '[{"name":"ada"}]', JSON.stringify(console));
  });
});

// The console story of a Django developer (issue 21): the quickstart's
// Django app and policy, but the page is opened as http://localhost:PAGE
// while the policy lists http://127.0.0.1:PAGE. Chromium blocks the fetch
// and prints its console error; `corsc explain --json --console` reads that
// message and answers with the fix (a span of the policy file and its
// replacement); the fix is applied, Django restarted, and the same page
// now reads the users.
describe("the Django developer's console story in Chromium", () => {
  const env = {};
  before(async () => {
    env.python = process.env.CORSC_PYTHON ?? path.join(ROOT, "target/python-venv/bin/python");
    env.corsc = corscBinary();
    env.temp = tempDir("console-story");
    env.pagePort = await freePort();
    env.apiPort = await freePort();
    const example = path.join(ROOT, "cors-ffi/python/examples/quickstart");
    for (const file of ["settings.py", "urls.py", "cors.corspolicy", "index.html"]) {
      const text = readFileSync(path.join(example, file), "utf8")
        .replaceAll("127.0.0.1:5000", `127.0.0.1:${env.pagePort}`)
        .replaceAll("127.0.0.1:8000", `127.0.0.1:${env.apiPort}`);
      writeFileSync(path.join(env.temp.dir, file), text);
    }
    env.policy = path.join(env.temp.dir, "cors.corspolicy");
    const page = readFileSync(path.join(env.temp.dir, "index.html"));
    env.pages = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
    });
    await new Promise((resolve) => env.pages.listen(env.pagePort, "127.0.0.1", resolve));
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await new Promise((resolve) => (env.pages ? env.pages.close(resolve) : resolve()));
    env.temp?.remove();
  });

  // Starts Django on the policy as it is now, opens the page, stops Django.
  async function visit() {
    const django = await startDjangoProject(env.python, env.temp.dir, "settings", env.apiPort);
    try {
      const context = await env.browser.newContext();
      const page = await context.newPage();
      const console = [];
      page.on("console", (m) => console.push(m.text()));
      await page.goto(`http://localhost:${env.pagePort}/`);
      await page.waitForFunction(() => document.getElementById("out").textContent !== "");
      const out = await page.textContent("#out");
      await context.close();
      return { out, console };
    } finally {
      await django.stop();
    }
  }

  test("console message → corsc explain → fix → the request works", async (t) => {
    const before = await visit();
    assert.equal(before.out, "TypeError: Failed to fetch", JSON.stringify(before.console));
    const message = before.console.find((line) => line.includes("has been blocked by CORS policy"));
    assert.equal(
      message,
      `Access to fetch at 'http://127.0.0.1:${env.apiPort}/users' from origin 'http://localhost:${env.pagePort}' ` +
        "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    const explained = JSON.parse(
      execFileSync(env.corsc, ["explain", "--json", "--console", message, env.policy], { encoding: "utf8" }),
    );
    assert.equal(explained.attributable, true);
    assert.equal(explained.decision, "actual-denied");
    assert.equal(explained.reason, "origin-not-allowed");
    assert.equal(explained.policy, "frontend");
    assert.equal(explained.request.origin, `http://localhost:${env.pagePort}`);
    assert.equal(explained.request.path, "/users");
    assert.ok(explained.fix, `corsc explain gave no fix: ${JSON.stringify(explained)}`);
    const { span, replacement } = explained.fix;
    assert.ok(Array.isArray(span) && span.length === 2, JSON.stringify(explained.fix));
    const source = readFileSync(env.policy);
    writeFileSync(
      env.policy,
      Buffer.concat([source.subarray(0, span[0]), Buffer.from(replacement, "utf8"), source.subarray(span[1])]),
    );
    execFileSync(env.corsc, ["check", env.policy], { stdio: ["ignore", "ignore", "pipe"] });
    const after = await visit();
    assert.equal(after.out, '[{"name":"ada"}]', JSON.stringify(after.console));
    assert.ok(!after.console.some((line) => line.includes("blocked by CORS policy")), JSON.stringify(after.console));
  });
});

function writeReport() {
  const dir = path.join(ROOT, "target");
  mkdirSync(dir, { recursive: true });
  const lines = [`# Browser conformance`, ``, `Chromium ${report.chromium}`, ``];
  for (const [host, { cases, seconds }] of Object.entries(report.hosts)) {
    lines.push(`## ${host}: ${cases.length} cases in ${seconds?.toFixed(1)} s`, ``);
    lines.push(`| case | browser | preflights | corsc | Fetch on corsc's headers |`, `|---|---|---|---|---|`);
    for (const c of cases) {
      for (const f of c.fetches) {
        lines.push(`| ${c.id} ${c.name} | ${f.browser} | ${f.preflights} | ${f.decisions.join(" → ")} | ${f.model ?? "n/a"} |`);
      }
    }
    lines.push("");
  }
  if (report.facts) {
    lines.push(`## Chromium's own checks (no corsc)`, ``, `| check | browser | Fetch model |`, `|---|---|---|`);
    for (const f of report.facts) lines.push(`| ${f.name} | ${f.browser} | ${f.model} |`);
    lines.push("");
  }
  writeFileSync(path.join(dir, "browser-conformance.md"), lines.join("\n"));
}
