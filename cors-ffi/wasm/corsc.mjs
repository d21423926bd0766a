// corsc for JavaScript edge runtimes (Cloudflare Workers, Deno, Node 20+):
// evaluates requests against a compiled corsc table inside the corsc
// WebAssembly module (cors-ffi/wasm, built by scripts/cross-check), which
// allocates nothing and imports nothing.
//
//   import { Corsc } from "./corsc.mjs";
//   const corsc = await Corsc.load(wasmBytesOrModule, tableBytes);
//   corsc.evaluate({ method, path, origin, requestMethod, requestHeaders })
//     // -> { decision, reason, policy, status, headers: [[name, value], ...] }
//   return corsc.handle(request, (request) => fetch(request));
//
// One Corsc instance owns one module instance: use it from one thread (an
// isolate, a worker) at a time, as edge runtimes do.

/** The names of `cors_decision` values, as `corsc explain --json` prints them. */
const DECISIONS = [
  "pass",
  "actual-allowed",
  "actual-denied",
  "preflight-allowed",
  "preflight-denied",
];
/** The names of `cors_reason` values; `cors_reason::None` is null. */
const REASONS = [
  null,
  "not-cors",
  "no-policy",
  "origin-not-allowed",
  "method-not-allowed",
  "header-not-allowed",
  "private-network-not-allowed",
  "malformed-origin",
  "malformed-request",
];
const HEADER_COUNT_MAX = 7;

/** A table the module rejected, or a request it cannot take. */
export class CorscError extends Error {
  /**
   * @param {string} message
   * @param {number} code the `cors_result` value (0 if none)
   */
  constructor(message, code = 0) {
    super(message);
    this.name = "CorscError";
    this.code = code;
  }
}

const utf8 = new TextEncoder();
const utf8Lossy = new TextDecoder("utf-8", { fatal: false });

/**
 * A Fetch header value (a ByteString: one char per byte) as its bytes; a
 * char above U+00FF (not a ByteString) is UTF-8 encoded.
 */
function latin1Bytes(text) {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return utf8.encode(text);
    bytes[i] = code;
  }
  return bytes;
}

function latin1String(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  return text;
}

function asBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeError("expected a string, Uint8Array, ArrayBuffer or typed array");
}

/** Whether an `Access-Control-Request-Private-Network` value means yes. */
function wantsPrivateNetwork(value) {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  // As the core reads the header: `true`, ASCII case-insensitive, with
  // surrounding SP/HTAB ignored.
  return String(value).replace(/^[ \t]+|[ \t]+$/g, "").toLowerCase() === "true";
}

export class Corsc {
  #exports;
  #request; // the request buffer: offset and capacity
  #capacity;
  #outcome; // the offset of the cors_outcome
  #bytes; // views of the module's memory
  #view;
  #strings = new Map(); // decoded strings of the table and static data

  /** Use `Corsc.load`. */
  constructor(instance) {
    this.#exports = instance.exports;
    this.#request = this.#exports.cors_wasm_request_buffer();
    this.#capacity = this.#exports.cors_wasm_request_capacity();
    this.#outcome = this.#exports.cors_wasm_outcome();
    this.#bytes = new Uint8Array(0);
    this.#memory();
  }

  /**
   * Instantiates the module and loads a compiled table (`corsc compile`).
   *
   * @param {BufferSource | WebAssembly.Module} wasm the module's bytes, or a
   *   compiled module (Cloudflare Workers imports `.wasm` files as modules
   *   and forbids compiling bytes at run time).
   * @param {BufferSource} table the compiled table.
   * @returns {Promise<Corsc>}
   * @throws {CorscError} if the table is rejected (corrupted, truncated,
   *   another format version...).
   */
  static async load(wasm, table) {
    const instance =
      wasm instanceof WebAssembly.Module
        ? await WebAssembly.instantiate(wasm, {})
        : (await WebAssembly.instantiate(asBytes(wasm), {})).instance;
    const corsc = new Corsc(instance);
    corsc.loadTable(table);
    return corsc;
  }

  /**
   * Replaces the table (validated in place; on error nothing is loaded and
   * `evaluate` throws until a table loads).
   * @param {BufferSource} table
   */
  loadTable(table) {
    const bytes = asBytes(table);
    const e = this.#exports;
    const at = e.cors_wasm_table_buffer(bytes.length);
    if (at === 0 && bytes.length > 0) {
      throw new CorscError(`no memory for a table of ${bytes.length} bytes`);
    }
    this.#memory().set(bytes, at);
    this.#strings.clear();
    const result = e.cors_wasm_load(bytes.length);
    if (result !== 0) {
      throw new CorscError(`corsc: ${this.#resultText(result)}`, result);
    }
  }

  /** The library version and table format version of the module. */
  get version() {
    return {
      library: this.#cString(this.#exports.cors_version()),
      tableFormat: this.#exports.cors_table_format_version(),
    };
  }

  /**
   * Evaluates one request. Strings are UTF-8 encoded; a Uint8Array is taken
   * as the raw bytes. An absent header is `undefined` or `null`.
   *
   * @param {{method: string|Uint8Array, path: string|Uint8Array,
   *   origin?: string|Uint8Array|null, requestMethod?: string|Uint8Array|null,
   *   requestHeaders?: string|Uint8Array|null,
   *   privateNetwork?: boolean|string|null}} request `privateNetwork` is a
   *   boolean or the `Access-Control-Request-Private-Network` header value.
   * @returns {{decision: string, reason: string|null, policy: string|null,
   *   status: number|null, headers: [string, string][]}} as
   *   `corsc explain --json` prints it (values decoded as UTF-8, lossy).
   */
  evaluate(request) {
    return this.#eval(
      request.method ?? "",
      request.path ?? "",
      request.origin,
      request.requestMethod,
      request.requestHeaders,
      wantsPrivateNetwork(request.privateNetwork),
      false,
    );
  }

  /**
   * A Fetch-API middleware: answers CORS preflights itself (with the
   * policy's status and headers) and, for every other request, replaces
   * the CORS headers of the response of `next(request)` with the policy's
   * (every `Access-Control-Allow-*`, `-Expose-Headers` and `-Max-Age` it
   * sent is removed, as the nginx module does) and merges `Vary`.
   *
   * @param {Request} request
   * @param {(request: Request) => Response | Promise<Response>} next
   * @returns {Promise<Response>}
   */
  async handle(request, next) {
    const headers = request.headers;
    const url = new URL(request.url);
    const outcome = this.#eval(
      request.method,
      url.pathname + url.search,
      headers.get("origin"),
      headers.get("access-control-request-method"),
      headers.get("access-control-request-headers"),
      wantsPrivateNetwork(headers.get("access-control-request-private-network")),
      true,
    );
    if (outcome.decision === "preflight-allowed" || outcome.decision === "preflight-denied") {
      return new Response(null, { status: outcome.status, headers: outcome.headers });
    }
    let response = await next(request);
    if (outcome.headers.length === 0 && !hasOwnedHeader(response.headers)) return response;
    try {
      setOutcomeHeaders(response.headers, outcome.headers);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      // Immutable headers (a `fetch()` response in some runtimes): copy.
      response = new Response(response.body, response);
      setOutcomeHeaders(response.headers, outcome.headers);
    }
    return response;
  }

  /** Refreshes the views of the module's memory (after it grew). */
  #memory() {
    if (this.#bytes.byteLength === 0 || this.#bytes.buffer !== this.#exports.memory.buffer) {
      this.#bytes = new Uint8Array(this.#exports.memory.buffer);
      this.#view = new DataView(this.#exports.memory.buffer);
    }
    return this.#bytes;
  }

  /**
   * Writes one field at `at` in the request buffer; returns its length, or
   * -1 for an absent header. `latin1`: a string is a Fetch ByteString (one
   * char per byte); otherwise it is UTF-8 encoded.
   */
  #put(value, at, latin1) {
    if (value === undefined || value === null) return -1;
    const bytes = this.#bytes;
    const room = this.#request + this.#capacity - at;
    if (typeof value === "string") {
      const length = value.length;
      if (length <= room) {
        // Fast path: ASCII (or Latin-1 for a ByteString), one byte a char.
        const top = latin1 ? 0xff : 0x7f;
        let i = 0;
        for (; i < length; i++) {
          const code = value.charCodeAt(i);
          if (code > top) break;
          bytes[at + i] = code;
        }
        if (i === length) return length;
      }
      value = latin1 ? latin1Bytes(value) : utf8.encode(value);
    } else {
      value = asBytes(value);
    }
    if (value.length > room) {
      throw new CorscError(`request fields too large (the module takes ${this.#capacity} bytes)`, 2);
    }
    bytes.set(value, at);
    return value.length;
  }

  #eval(method, path, origin, requestMethod, requestHeaders, privateNetwork, latin1) {
    const e = this.#exports;
    this.#memory();
    let at = this.#request;
    const lengths = [];
    for (const value of [method, path, origin, requestMethod, requestHeaders]) {
      const length = this.#put(value, at, latin1);
      lengths.push(length);
      if (length > 0) at += length;
    }
    const result = e.cors_wasm_eval(
      lengths[0],
      lengths[1],
      lengths[2],
      lengths[3],
      lengths[4],
      privateNetwork ? 1 : 0,
    );
    if (result !== 0) {
      throw new CorscError(`corsc: ${this.#resultText(result)}`, result);
    }
    // cors_outcome, wasm32 layout: decision u32 @0, reason u32 @4, status
    // u16 @8, policy {ptr, len} @12, header_count @20, headers @24: 7 x
    // {name ptr, name len, value ptr, value len}.
    const view = this.#view;
    const out = this.#outcome;
    const text = (offset, bytesAsLatin1) => {
      const ptr = view.getUint32(out + offset, true);
      return ptr === 0 ? null : this.#string(ptr, view.getUint32(out + offset + 4, true), bytesAsLatin1);
    };
    const count = Math.min(view.getUint32(out + 20, true), HEADER_COUNT_MAX);
    const headers = [];
    for (let i = 0; i < count; i++) {
      const at = out + 24 + i * 16;
      const name = this.#string(view.getUint32(at, true), view.getUint32(at + 4, true), true);
      headers.push([name, text(24 + i * 16 + 8, latin1)]);
    }
    const status = view.getUint16(out + 8, true);
    const reason = view.getUint32(out + 4, true);
    return {
      decision: DECISIONS[view.getUint32(out, true)] ?? "unknown",
      reason: reason < REASONS.length ? REASONS[reason] : "unknown",
      policy: text(12, false),
      status: status === 0 ? null : status,
      headers,
    };
  }

  /** Bytes of the module's memory as a string: Latin-1, or UTF-8 (lossy). */
  #string(ptr, length, asLatin1) {
    // Strings in the table or the module's static data do not change while
    // the table stays loaded: decode each once. (A reflected Origin lives in
    // the request buffer and is decoded every time.)
    const inRequest = ptr >= this.#request && ptr < this.#request + this.#capacity;
    if (inRequest || length >= 4096) return this.#decode(ptr, length, asLatin1);
    const key = (ptr * 4096 + length) * 2 + (asLatin1 ? 1 : 0);
    let text = this.#strings.get(key);
    if (text === undefined) {
      text = this.#decode(ptr, length, asLatin1);
      this.#strings.set(key, text);
    }
    return text;
  }

  #decode(ptr, length, asLatin1) {
    const bytes = this.#bytes;
    if (length <= 256) {
      let text = "";
      let i = 0;
      for (; i < length; i++) {
        const byte = bytes[ptr + i];
        if (byte > 0x7f && !asLatin1) break;
        text += String.fromCharCode(byte);
      }
      if (i === length) return text;
    }
    const slice = bytes.subarray(ptr, ptr + length);
    return asLatin1 ? latin1String(slice) : utf8Lossy.decode(slice);
  }

  #cString(ptr) {
    const memory = this.#memory();
    let end = ptr;
    while (memory[end] !== 0) end++;
    return utf8Lossy.decode(memory.subarray(ptr, end));
  }

  #resultText(result) {
    return this.#cString(this.#exports.cors_result_str(result));
  }
}

/** Adds CORS headers to `target`, merging `Vary` with the one already there. */
/**
 * The response headers the policy owns: whatever `next` sent for them (an
 * application that reflects any origin with credentials, say) is replaced
 * by the policy's answer, so that it cannot grant what the policy denies.
 */
function isOwnedHeader(name) {
  return (
    name.startsWith("access-control-allow-") ||
    name === "access-control-expose-headers" ||
    name === "access-control-max-age"
  );
}

function hasOwnedHeader(headers) {
  for (const name of headers.keys()) {
    if (isOwnedHeader(name)) return true;
  }
  return false;
}

function setOutcomeHeaders(target, headers) {
  for (const name of [...target.keys()].filter(isOwnedHeader)) {
    target.delete(name);
  }
  for (const [name, value] of headers) {
    if (name === "vary") {
      target.set("vary", mergeVary(target.get("vary"), value));
    } else {
      target.set(name, value);
    }
  }
}

function mergeVary(existing, added) {
  if (existing === null || existing.trim() === "") return added;
  const tokens = existing.split(",").map((token) => token.trim()).filter(Boolean);
  if (tokens.includes("*")) return existing;
  const seen = new Set(tokens.map((token) => token.toLowerCase()));
  for (const token of added.split(",").map((token) => token.trim()).filter(Boolean)) {
    if (!seen.has(token.toLowerCase())) {
      tokens.push(token);
      seen.add(token.toLowerCase());
    }
  }
  return tokens.join(", ");
}
