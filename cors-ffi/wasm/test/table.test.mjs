// Bad tables and bad requests are errors (CorscError), never traps.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Corsc, CorscError } from "../corsc.mjs";
import { fixture, fromBase64, wasmBytes } from "../load-module.mjs";

const good = fromBase64(fixture.tables.design);
const request = { method: "GET", path: "/api/x", origin: "https://app.example.com" };

const rejects = async (table, code, pattern) => {
  await assert.rejects(Corsc.load(wasmBytes(), table), (error) => {
    assert.ok(error instanceof CorscError, `not a CorscError: ${error}`);
    assert.ok(!(error instanceof WebAssembly.RuntimeError));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  });
};

test("a corrupted table is rejected with an error", async () => {
  const corrupted = good.slice();
  corrupted[corrupted.length - 5] ^= 0x40;
  await rejects(corrupted, 15, /corrupted \(checksum mismatch\)/);
});

test("truncated, foreign and empty tables are rejected", async () => {
  await rejects(good.subarray(0, good.length - 1), 14, /length/);
  await rejects(good.subarray(0, 8), 10, /truncated/);
  await rejects(new TextEncoder().encode("policy api { origins *; }\n".repeat(4)), 11, /bad magic/);
  await rejects(new Uint8Array(0), 10, /truncated/);
});

test("every single-byte corruption is an error or a valid table, never a trap", async () => {
  const corsc = await Corsc.load(wasmBytes(), good);
  for (let at = 0; at < good.length; at += 7) {
    const bad = good.slice();
    bad[at] ^= 0xff;
    try {
      corsc.loadTable(bad);
    } catch (error) {
      assert.ok(error instanceof CorscError, `byte ${at}: ${error}`);
      assert.throws(() => corsc.evaluate(request), CorscError, "nothing is loaded after a rejection");
      continue;
    }
    corsc.evaluate(request);
  }
  // The instance recovers with a good table.
  corsc.loadTable(good);
  assert.equal(corsc.evaluate(request).decision, "actual-allowed");
});

test("a larger table than the last grows the module's memory", async () => {
  const small = await Corsc.load(wasmBytes(), fromBase64(fixture.tables.bare));
  small.loadTable(good);
  assert.equal(small.evaluate(request).decision, "actual-allowed");
});

test("request fields larger than the buffer are an error", async () => {
  const corsc = await Corsc.load(wasmBytes(), good);
  assert.throws(
    () => corsc.evaluate({ ...request, requestHeaders: "x".repeat(64 * 1024) }),
    (error) => error instanceof CorscError && /too large/.test(error.message),
  );
  assert.equal(corsc.evaluate(request).decision, "actual-allowed");
});

test("the module reports its versions and imports nothing", async () => {
  const module = new WebAssembly.Module(wasmBytes());
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const corsc = await Corsc.load(module, good);
  assert.match(corsc.version.library, /^\d+\.\d+\.\d+/);
  assert.equal(typeof corsc.version.tableFormat, "number");
});

test("the example policies, a 500 KB table included, evaluate as the CLI does", async () => {
  const instances = {};
  for (const extra of fixture.extras) {
    instances[extra.set] ??= await Corsc.load(wasmBytes(), fromBase64(fixture.tables[extra.set]));
    assert.deepEqual(instances[extra.set].evaluate(extra.request), extra.explain, JSON.stringify(extra.request));
  }
  assert.ok(fixture.tables["example-large"].length > 400_000);
  assert.ok(Object.keys(instances).length >= 2);
});
