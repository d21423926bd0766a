// An edge worker that puts a corsc policy in front of an origin server
// (Cloudflare Workers module syntax; Deno and Node variants below).
//
// Build and bundle:
//   scripts/cross-check                          # -> target/cross/corsc.wasm
//   corsc compile api.corspolicy -o api.table    # the compiled policy
//   cp target/cross/corsc.wasm api.table cors-ffi/wasm/corsc.mjs my-worker/
//
// wrangler.toml (Workers imports `.wasm` as a WebAssembly.Module and, with
// this rule, the table as an ArrayBuffer):
//   main = "example-worker.mjs"
//   rules = [{ type = "Data", globs = ["**/*.table"] }]
import wasm from "./corsc.wasm";
import table from "./api.table";
import { Corsc } from "./corsc.mjs";

// One module instance per isolate, created on the first request (the
// table is validated once; a rejected table fails every request loudly).
let corsc;

export default {
  async fetch(request, env) {
    corsc ??= await Corsc.load(wasm, table);
    // Preflights are answered here; every other request goes to the origin
    // (env.ORIGIN, or the request's own URL) and comes back with the CORS
    // headers added and Vary merged.
    return corsc.handle(request, (request) => {
      if (!env?.ORIGIN) return fetch(request);
      const url = new URL(request.url);
      return fetch(new Request(env.ORIGIN + url.pathname + url.search, request));
    });
  },
};

// Deno:
//   const corsc = await Corsc.load(await Deno.readFile("corsc.wasm"), await Deno.readFile("api.table"));
//   Deno.serve((request) => corsc.handle(request, app));
//
// Node 20+ (Request/Response are global; bridge node:http with your
// framework's adapter, or test handlers directly):
//   const corsc = await Corsc.load(readFileSync("corsc.wasm"), readFileSync("api.table"));
//   const response = await corsc.handle(new Request(url, init), app);
