//! The compiler still writes the committed golden tables that
//! `cors-match-core` tests read without the compiler: the table of
//! `examples/api.corspolicy` (read by `cors-match-core/tests/it/golden_table.rs`),
//! a one-prefix policy (read by `cors-match-core`'s loader unit tests and
//! `tests/it/loader.rs`), and the tables of the loader suite
//! (`cors-match-core/tests/fixtures/loader/`, read by
//! `cors-match-core/tests/it/loader.rs`, built from the sets below).
//! A deliberate format change, or a new loader fixture: rerun with
//! `BLESS=1 cargo test -p cors-policy-lang --test it golden_table::` and
//! commit the new bytes.

use std::path::{Path, PathBuf};

use cors_policy_lang::compile::compile;
use cors_policy_lang::model::{
    HeaderNames, Host, OriginPattern, Origins, Policy, PolicySet, PortPattern, TupleOrigin,
};

/// A policy with one path prefix: its path automaton starts with a literal
/// run (`cors-match-core`'s loader unit tests read it).
const ONE_PREFIX: &str =
    "policy api {\n    paths /api/;\n    origins https://app.example.com;\n}\n";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `table` equals the committed `cors-match-core/tests/fixtures/NAME`
/// (which `BLESS=1` rewrites first).
fn assert_golden(name: &str, table: &[u8]) {
    let golden_path = root().join("cors-match-core/tests/fixtures").join(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(golden_path.parent().expect("a directory"))
            .expect("create the fixture directory");
        std::fs::write(&golden_path, table).expect("write golden table");
    }
    let golden = std::fs::read(&golden_path).expect("golden table");
    assert!(
        table == golden,
        "compiled table differs from {} ({} vs {} bytes); if the format changed on purpose, \
         bump format::VERSION and rerun with BLESS=1",
        golden_path.display(),
        table.len(),
        golden.len()
    );
}

#[test]
fn compiler_output_matches_the_golden_tables() {
    let example = std::fs::read_to_string(root().join("examples/api.corspolicy")).expect("example");
    for (source, golden) in [
        (example.as_str(), "api.cors"),
        (ONE_PREFIX, "one_prefix.cors"),
    ] {
        let table = cors_policy_lang::compile(source)
            .unwrap_or_else(|failure| panic!("{golden}: the source compiles: {failure}"))
            .table;
        assert_golden(golden, &table);
    }
}

// ---------------------------------------------------------------------------
// The loader suite's tables (cors-match-core/tests/it/loader.rs). Each set
// is described where the loader suite reads it; the names and literals the
// suite relies on are noted here too.
// ---------------------------------------------------------------------------

fn tuple(scheme: &str, host: &str, any_subdomain: bool, port: PortPattern) -> OriginPattern {
    OriginPattern::Tuple(TupleOrigin {
        scheme: scheme.into(),
        host: Host::Domain(host.into()),
        any_subdomain,
        port,
    })
}

/// Policy `api` allowing `https://app.example.com` with `port`.
fn app_policy(port: PortPattern) -> Policy {
    let origin = tuple("https", "app.example.com", false, port);
    Policy::new("api", Origins::List(vec![origin]))
}

/// `small.cors`: policies `api` and `assets`; literal, wildcard and `:*`
/// origins, a known and another method, headers, so that every section and
/// every kind of automaton (with literal runs) is there.
fn small_set() -> PolicySet {
    let mut api = Policy::new(
        "api",
        Origins::List(vec![
            tuple("https", "app.example.com", false, PortPattern::Default),
            tuple("https", "example.com", true, PortPattern::Exact(8443)),
            tuple("https", "dev.example.com", false, PortPattern::Any),
        ]),
    );
    api.paths = vec!["/api/".into()];
    api.methods = vec!["PUT".into(), "X-Custom".into()];
    api.allow_headers = HeaderNames {
        any: false,
        names: vec!["x-a".into()],
    };
    api.expose_headers.names = vec!["x-request-id".into()];
    api.credentials = true;
    api.max_age = Some(600);
    let mut assets = Policy::new("assets", Origins::Any);
    assets.allow_headers.any = true;
    PolicySet {
        policies: vec![api, assets],
    }
}

/// `big.cors`: policy `big`, thousands of states, `:*` ports.
fn big_set() -> PolicySet {
    let mut patterns: Vec<OriginPattern> = (0..300)
        .map(|i| {
            tuple(
                "https",
                &format!("host{i}.example.com"),
                i % 3 == 0,
                PortPattern::Default,
            )
        })
        .collect();
    patterns.push(tuple("http", "localhost", false, PortPattern::Any));
    let mut policy = Policy::new("big", Origins::List(patterns));
    policy.methods = vec!["PUT".into(), "DELETE".into()];
    PolicySet {
        policies: vec![policy],
    }
}

/// `forty_origins.cors`: policy `p`, `https://h0.example.com` to
/// `https://h39.example.com`.
fn forty_origins_set() -> PolicySet {
    let origins = (0..40)
        .map(|i| {
            tuple(
                "https",
                &format!("h{i}.example.com"),
                false,
                PortPattern::Default,
            )
        })
        .collect();
    PolicySet {
        policies: vec![Policy::new("p", Origins::List(origins))],
    }
}

/// `literal_runs.cors`: `api` (`https://app.example.com:*`, paths
/// `/api/v1/users/` and `/api/v2/`, an 82-byte exposed header) and `other`
/// (`origins *`).
fn literal_runs_set() -> PolicySet {
    let mut api = app_policy(PortPattern::Any);
    // `/api/v` is the run the path walk starts with (`Policy::path_head`),
    // `/users/` one it meets after the branch.
    api.paths = vec!["/api/v1/users/".into(), "/api/v2/".into()];
    // A long header value: bytes for a run too long to be one.
    api.expose_headers.names = vec![format!("x-{}", "e".repeat(80))];
    PolicySet {
        policies: vec![api, Policy::new("other", Origins::Any)],
    }
}

/// `known_methods.cors`: `api` (`https://app.example.com`) with methods
/// GET, PUT, DELETE and X-Custom.
fn known_methods_set() -> PolicySet {
    let mut api = app_policy(PortPattern::Default);
    api.methods = ["GET", "PUT", "DELETE", "X-Custom"]
        .map(String::from)
        .to_vec();
    PolicySet {
        policies: vec![api],
    }
}

/// `known_methods_only.cors`: the same with GET, PATCH and OPTIONS, all
/// safelisted or known: no methods automaton.
fn known_methods_only_set() -> PolicySet {
    let mut known_only = app_policy(PortPattern::Default);
    known_only.methods = vec!["GET".into(), "PATCH".into(), "OPTIONS".into()];
    PolicySet {
        policies: vec![known_only],
    }
}

/// `long_literals.cors`: `api` (`https://` 70 `h`s `.example.com:*`, path
/// `/` 98 `p`s `/`) and `other` (`origins *`).
fn long_literals_set() -> PolicySet {
    let host = format!("{}.example.com", "h".repeat(70));
    let mut api = Policy::new(
        "api",
        Origins::List(vec![tuple("https", &host, false, PortPattern::Any)]),
    );
    let prefix = format!("/{}/", "p".repeat(98));
    api.paths = vec![prefix];
    PolicySet {
        policies: vec![api, Policy::new("other", Origins::Any)],
    }
}

#[test]
fn compiler_output_matches_the_loader_fixtures() {
    for (name, set) in [
        ("small", small_set()),
        ("big", big_set()),
        ("empty", PolicySet::default()),
        ("forty_origins", forty_origins_set()),
        ("literal_runs", literal_runs_set()),
        ("known_methods", known_methods_set()),
        ("known_methods_only", known_methods_only_set()),
        ("long_literals", long_literals_set()),
    ] {
        let table = compile(&set).unwrap_or_else(|error| panic!("{name}: compiles: {error:?}"));
        assert_golden(&format!("loader/{name}.cors"), &table);
    }
}
