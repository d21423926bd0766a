// Corsc.handle as Fetch-API middleware (Node 20's Request/Response).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Corsc } from "../corsc.mjs";
import { fixture, fromBase64, wasmBytes } from "../load-module.mjs";

const corsc = await Corsc.load(wasmBytes(), fromBase64(fixture.tables.design));

const app = (calls) => async (request) => {
  calls.push(request);
  return new Response("hello", {
    status: 200,
    headers: { "content-type": "text/plain", vary: "Accept-Encoding" },
  });
};

test("a preflight is answered without calling next", async () => {
  const calls = [];
  const response = await corsc.handle(
    new Request("https://api.test/api/users", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "Content-Type, X-Requested-With",
      },
    }),
    app(calls),
  );
  assert.equal(calls.length, 0);
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example.com");
  assert.equal(response.headers.get("access-control-allow-credentials"), "true");
  assert.equal(response.headers.get("access-control-allow-methods"), "GET, POST, PUT, DELETE");
  assert.equal(response.headers.get("access-control-max-age"), "600");
  assert.match(response.headers.get("vary"), /^Origin, Access-Control-Request-Method/);
  assert.equal(await response.text(), "");
});

test("a denied preflight is answered 403 without CORS headers", async () => {
  const calls = [];
  const response = await corsc.handle(
    new Request("https://api.test/api/users", {
      method: "OPTIONS",
      headers: { origin: "https://evil.test", "access-control-request-method": "PUT" },
    }),
    app(calls),
  );
  assert.equal(calls.length, 0);
  assert.equal(response.status, 403);
  assert.equal(response.headers.get("access-control-allow-origin"), null);
  assert.match(response.headers.get("vary"), /^Origin/);
});

test("an actual request is served by next and decorated, merging Vary", async () => {
  const calls = [];
  const response = await corsc.handle(
    new Request("https://api.test/v2/items?page=2", {
      headers: { origin: "https://app.example.com" },
    }),
    app(calls),
  );
  assert.equal(calls.length, 1);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "hello");
  assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example.com");
  assert.equal(response.headers.get("access-control-allow-credentials"), "true");
  assert.equal(response.headers.get("access-control-expose-headers"), "x-request-id");
  assert.equal(response.headers.get("vary"), "Accept-Encoding, Origin");
  assert.equal(response.headers.get("content-type"), "text/plain");
});

test("a Vary already naming Origin is not repeated; Vary: * is kept", async () => {
  const request = () =>
    new Request("https://api.test/api/x", { headers: { origin: "https://app.example.com" } });
  const withVary = (vary) => async () => new Response("x", { headers: { vary } });
  let response = await corsc.handle(request(), withVary("origin, Accept"));
  assert.equal(response.headers.get("vary"), "origin, Accept");
  response = await corsc.handle(request(), withVary("*"));
  assert.equal(response.headers.get("vary"), "*");
});

test("a denied actual request is served without CORS headers but with Vary", async () => {
  const calls = [];
  const response = await corsc.handle(
    new Request("https://api.test/api/x", { method: "PATCH", headers: { origin: "https://app.example.com" } }),
    app(calls),
  );
  assert.equal(calls.length, 1);
  assert.equal(response.headers.get("access-control-allow-origin"), null);
  assert.equal(response.headers.get("vary"), "Accept-Encoding, Origin");
});

test("a response with immutable headers is copied, not broken", async () => {
  const response = await corsc.handle(
    new Request("https://api.test/api/x", { headers: { origin: "https://app.example.com" } }),
    async () => Response.redirect("https://api.test/elsewhere", 302),
  );
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("location"), "https://api.test/elsewhere");
  assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example.com");
});

test("a request without Origin passes through (with Vary)", async () => {
  const calls = [];
  const response = await corsc.handle(new Request("https://api.test/api/x"), app(calls));
  assert.equal(calls.length, 1);
  assert.equal(response.headers.get("access-control-allow-origin"), null);
  assert.equal(response.headers.get("vary"), "Accept-Encoding, Origin");
});

// Found by the browser suite (case "upstream reflects, denied origin"): an
// application that reflects any origin with credentials must not grant
// what the policy denies.
test("the policy owns the CORS headers of next's response", async () => {
  const reflecting = async (request) =>
    new Response("secret", {
      headers: {
        "access-control-allow-origin": request.headers.get("origin"),
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "X-Secret",
        "access-control-max-age": "86400",
        "access-control-allow-methods": "DELETE",
        "x-secret": "s3cret",
      },
    });
  const denied = await corsc.handle(
    new Request("https://api.test/api/users", { headers: { origin: "https://evil.test" } }),
    reflecting,
  );
  for (const name of [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-methods",
  ]) {
    assert.equal(denied.headers.get(name), null, name);
  }
  assert.equal(denied.headers.get("x-secret"), "s3cret");
  assert.equal(denied.headers.get("vary"), "Origin");

  const allowed = await corsc.handle(
    new Request("https://api.test/api/users", { headers: { origin: "https://app.example.com" } }),
    reflecting,
  );
  assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example.com");
  assert.equal(allowed.headers.get("access-control-expose-headers"), "x-request-id");
  assert.equal(allowed.headers.get("access-control-max-age"), null);
  assert.equal(allowed.headers.get("access-control-allow-methods"), null);
});
