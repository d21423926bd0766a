// For the tests: the wasm module built by scripts/cross-check.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The path of the module: $CORSC_WASM, or target/cross/corsc.wasm. */
export const wasmPath = process.env.CORSC_WASM ?? join(here, "..", "..", "target", "cross", "corsc.wasm");

/** The module's bytes; throws a hint when it has not been built. */
export function wasmBytes() {
  try {
    return readFileSync(wasmPath);
  } catch (error) {
    throw new Error(`${wasmPath}: ${error.message} (build it with scripts/cross-check)`);
  }
}

/** The conformance fixture: $CORSC_FIXTURE, or target/cross/conformance.json. */
export const fixturePath =
  process.env.CORSC_FIXTURE ?? join(here, "..", "..", "target", "cross", "conformance.json");

function readFixture() {
  try {
    return JSON.parse(readFileSync(fixturePath, "utf8"));
  } catch (error) {
    throw new Error(`${fixturePath}: ${error.message} (write it with node cors-ffi/wasm/gen-fixture.mjs)`);
  }
}

/** The conformance fixture written by gen-fixture.mjs. */
export const fixture = readFixture();

export const fromBase64 = (text) => (text === null ? null : new Uint8Array(Buffer.from(text, "base64")));
