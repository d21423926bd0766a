// Writes target/cross/conformance.json: every row of the project's conformance
// cases (cors-policy-lang/tests/conformance/cases.txt) with the compiled
// table of its policy set (the sources in cors-policy-lang/tests/
// it/conformance.rs) and the outcome `corsc explain --json` gives natively.
// The Node tests (node --test cors-ffi/wasm/) check that the wasm module
// gives the same outcome.
//
//   node cors-ffi/wasm/gen-fixture.mjs [--out FILE]
//
// The fixture is generated, not committed, so the comparison is always with
// the current native build (the table format may change). Uses $CORSC, or
// builds target/debug/corsc with cargo.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const outFlag = process.argv.indexOf("--out");
const fixturePath =
  outFlag > 0 ? process.argv[outFlag + 1] : join(root, "target", "cross", "conformance.json");

let corsc = process.env.CORSC;
if (!corsc) {
  execFileSync("cargo", ["build", "--quiet", "--locked", "-p", "corsc"], {
    cwd: root,
    stdio: "inherit",
  });
  corsc = join(root, "target", "debug", "corsc");
}

// --- the policy sets ---------------------------------------------------------------------
const rust = readFileSync(join(root, "cors-policy-lang", "tests", "it", "conformance.rs"), "utf8");
const sourcesBlock = rust.slice(rust.indexOf("const SOURCES"));
const sources = {};
for (const match of sourcesBlock.matchAll(/\(\s*"([\w-]+)",\s*r#"([\s\S]*?)"#,?\s*\)/g)) {
  sources[match[1]] = match[2];
}
if (Object.keys(sources).length === 0) throw new Error("no policy sources found in conformance.rs");

// --- the rows (the escapes of tests/it/support/mod.rs `unescape`) ---------------------------
function unescape(field) {
  const out = [];
  const text = Buffer.from(field, "utf8");
  for (let i = 0; i < text.length; ) {
    if (text[i] !== 0x5c) {
      out.push(text[i++]);
      continue;
    }
    const next = String.fromCharCode(text[i + 1]);
    if (next === "\\") out.push(0x5c), (i += 2);
    else if (next === "t") out.push(9), (i += 2);
    else if (next === "r") out.push(13), (i += 2);
    else if (next === "n") out.push(10), (i += 2);
    else if (next === "x") {
      out.push(parseInt(text.subarray(i + 2, i + 4).toString("latin1"), 16));
      i += 4;
    } else if (next === "[") {
      const end = text.indexOf(0x5d, i);
      const inner = text.subarray(i + 2, end).toString("utf8");
      const star = inner.indexOf("*");
      const piece = Buffer.from(inner.slice(star + 1), "utf8");
      for (let n = Number(inner.slice(0, star)); n > 0; n--) out.push(...piece);
      i = end + 1;
    } else throw new Error(`unknown escape in ${JSON.stringify(field)}`);
  }
  return Buffer.from(out);
}
const optional = (field) => (field === "~" ? null : unescape(field));

const rows = [];
readFileSync(join(root, "cors-policy-lang", "tests", "conformance", "cases.txt"), "utf8")
  .split("\n")
  .forEach((raw, index) => {
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) return;
    const f = text.split("|").map((field) => field.trim());
    if (f.length !== 13) throw new Error(`cases.txt:${index + 1}: 13 fields expected`);
    rows.push({
      line: index + 1,
      name: f[0],
      set: f[1],
      method: unescape(f[2]),
      path: unescape(f[3]),
      origin: optional(f[4]),
      requestMethod: optional(f[5]),
      requestHeaders: optional(f[6]),
      privateNetwork: optional(f[7]),
      // The row's own expectation (without headers), for the rows the CLI
      // cannot take.
      table: {
        decision: f[8],
        reason: f[9] === "~" ? null : f[9],
        policy: f[10] === "~" ? null : f[10],
        status: f[11] === "~" ? null : Number(f[11]),
      },
    });
  });

// --- compile and explain ----------------------------------------------------------------
// The outcome fields of `corsc explain --json`: what the module answers too
// (a refused request's object also carries the fix and near misses, which
// need the policy source and are the CLI's own).
const outcomeOf = ({ decision, reason, policy, status, headers }) => ({ decision, reason, policy, status, headers });
const work = mkdtempSync(join(tmpdir(), "corsc-fixture-"));
const tables = {};
const extras = [];
try {
  for (const [name, source] of Object.entries(sources)) {
    const file = join(work, `${name}.corspolicy`);
    writeFileSync(file, source);
    execFileSync(corsc, ["compile", file, "-o", join(work, `${name}.table`)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    tables[name] = readFileSync(join(work, `${name}.table`));
  }
  // What the CLI can take: arguments are UTF-8 strings without NUL.
  const asArgument = (bytes) => {
    if (bytes === null) return null;
    if (bytes.includes(0)) return undefined;
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return undefined;
    }
  };
  // As the core reads Access-Control-Request-Private-Network (the CLI's
  // --private-network sends `true`).
  const wantsPrivateNetwork = (bytes) =>
    bytes !== null && bytes.toString("latin1").replace(/^[ \t]+|[ \t]+$/g, "").toLowerCase() === "true";
  for (const row of rows) {
    if (!tables[row.set]) throw new Error(`cases.txt:${row.line}: unknown set ${row.set}`);
    const fields = {
      method: asArgument(row.method),
      path: asArgument(row.path),
      origin: asArgument(row.origin),
      "request-method": asArgument(row.requestMethod),
      "request-headers": asArgument(row.requestHeaders),
    };
    if (Object.values(fields).includes(undefined)) {
      row.explain = null; // not expressible as CLI arguments
      continue;
    }
    const args = ["explain", join(work, `${row.set}.corspolicy`), "--json"];
    for (const [flag, value] of Object.entries(fields)) {
      if (value !== null) args.push(`--${flag}=${value}`);
    }
    if (wantsPrivateNetwork(row.privateNetwork)) args.push("--private-network");
    const run = spawnSync(corsc, args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`cases.txt:${row.line}: corsc explain failed: ${run.stderr}`);
    row.explain = outcomeOf(JSON.parse(run.stdout));
  }
  // The example policies, the 10,000-origin one (a ~500 KB table) included:
  // a few requests each, for the table tests.
  const examples = {
    "example-api": ["examples/api.corspolicy", "https://app.example.com"],
    "example-large": ["examples/large.corspolicy", "https://tenant-10000.example.com"],
  };
  for (const [name, [file, origin]] of Object.entries(examples)) {
    const output = join(work, `${name}.table`);
    execFileSync(corsc, ["compile", join(root, file), "-o", output], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    tables[name] = readFileSync(output);
    const requests = [
      { method: "OPTIONS", path: "/api/users", origin, requestMethod: "PUT", requestHeaders: "content-type" },
      { method: "GET", path: "/api/users?id=1", origin },
      { method: "GET", path: "/api/users", origin: "https://evil.example.net" },
      { method: "GET", path: "/elsewhere" },
    ];
    for (const request of requests) {
      const args = ["explain", join(root, file), "--json", `--method=${request.method}`, `--path=${request.path}`];
      if (request.origin) args.push(`--origin=${request.origin}`);
      if (request.requestMethod) args.push(`--request-method=${request.requestMethod}`);
      if (request.requestHeaders) args.push(`--request-headers=${request.requestHeaders}`);
      const run = spawnSync(corsc, args, { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`corsc explain ${file} failed: ${run.stderr}`);
      extras.push({ set: name, request, explain: outcomeOf(JSON.parse(run.stdout)) });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const b64 = (bytes) => (bytes === null ? null : bytes.toString("base64"));
const fixture = {
  about:
    "Generated by cors-ffi/wasm/gen-fixture.mjs from cors-policy-lang/tests/conformance/cases.txt " +
    "and the sources in conformance.rs: request fields are base64 (null: absent); `explain` is " +
    "`corsc explain --json` (null when the row's bytes cannot be CLI arguments); `table` is the row's " +
    "own expected decision, reason, policy and status; `extras` are requests (strings) against " +
    "the example policies with their `corsc explain --json` outcome.",
  tables: Object.fromEntries(Object.entries(tables).map(([name, bytes]) => [name, b64(bytes)])),
  cases: rows.map((row) => ({
    line: row.line,
    name: row.name,
    set: row.set,
    request: {
      method: b64(row.method),
      path: b64(row.path),
      origin: b64(row.origin),
      requestMethod: b64(row.requestMethod),
      requestHeaders: b64(row.requestHeaders),
      privateNetwork: b64(row.privateNetwork),
    },
    explain: row.explain,
    table: row.table,
  })),
  extras,
};
const text = JSON.stringify(fixture, null, 1) + "\n";
mkdirSync(dirname(fixturePath), { recursive: true });
writeFileSync(fixturePath, text);
const skipped = rows.filter((row) => row.explain === null).length;
console.log(`gen-fixture: wrote ${fixturePath}: ${rows.length} cases, ${skipped} not CLI-expressible`);
