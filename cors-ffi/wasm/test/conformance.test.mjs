// The wasm module against `corsc explain --json` on every conformance case.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Corsc } from "../corsc.mjs";
import { fixture, fromBase64, wasmBytes } from "../load-module.mjs";

const instances = {};
for (const [set, table] of Object.entries(fixture.tables)) {
  instances[set] = await Corsc.load(wasmBytes(), fromBase64(table));
}

test("the fixture covers the conformance cases", () => {
  assert.ok(fixture.cases.length >= 150, `only ${fixture.cases.length} cases`);
  const viaCli = fixture.cases.filter((c) => c.explain !== null).length;
  assert.ok(viaCli >= fixture.cases.length - 10, `only ${viaCli} cases compared with the CLI`);
});

for (const c of fixture.cases) {
  test(`${c.name} (cases.txt:${c.line})`, () => {
    const r = c.request;
    const pna = fromBase64(r.privateNetwork);
    const outcome = instances[c.set].evaluate({
      method: fromBase64(r.method),
      path: fromBase64(r.path),
      origin: fromBase64(r.origin),
      requestMethod: fromBase64(r.requestMethod),
      requestHeaders: fromBase64(r.requestHeaders),
      privateNetwork: pna === null ? null : Buffer.from(pna).toString("latin1"),
    });
    if (c.explain !== null) {
      // Exactly what the native CLI prints (same keys, values and header order).
      assert.deepEqual(outcome, c.explain);
    } else {
      // Bytes the CLI cannot take as arguments (NUL, non-UTF-8): the row's
      // own expectation.
      const { decision, reason, policy, status } = outcome;
      assert.deepEqual({ decision, reason, policy, status }, c.table);
    }
    // And the row's expectation always agrees.
    assert.equal(outcome.decision, c.table.decision);
    assert.equal(outcome.reason, c.table.reason);
  });
}

test("a module instance evaluates many requests in a row (no state leaks)", () => {
  const corsc = instances.design;
  for (let i = 0; i < 2000; i++) {
    const allowed = corsc.evaluate({ method: "GET", path: "/api/x", origin: "https://app.example.com" });
    assert.equal(allowed.decision, "actual-allowed");
    const pass = corsc.evaluate({ method: "GET", path: "/api/x" });
    assert.equal(pass.decision, "pass");
  }
});
