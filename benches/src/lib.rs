//! Shared inputs of the corsc benchmark suite (`cargo bench -p corsc-benches`).
//!
//! Every comparison is made on the same inputs: [`Origins::generate`] writes
//! one list of origins, [`Origins::policy_source`] turns it into a
//! `.corspolicy` for corsc, and [`peers`] configures tower-http, actix-cors
//! and a django-style scan from the very same list. [`Scenario`] describes
//! the five requests, and [`Fixture::verify`] checks that every
//! implementation gives the expected answer to each before anything is
//! timed, so that no benchmark measures a misconfigured peer.
//!
//! `BENCHMARKS.md` (written by `scripts/bench-report`) has the numbers.

#![warn(missing_docs)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cors_match_core::{Decision, Request, Table};

pub mod adversarial;
pub mod peers;

/// The policy sizes of the eval benchmarks (number of origins).
pub const EVAL_SIZES: [usize; 4] = [1, 100, 10_000, 100_000];
/// The policy sizes of the eval benchmarks in quick mode.
pub const QUICK_EVAL_SIZES: [usize; 2] = [1, 10_000];
/// The policy sizes of the tower benchmarks (`benches/tower.rs`): corsc's
/// layer and tower-http's `CorsLayer` through the same `Service` harness.
pub const TOWER_SIZES: [usize; 3] = [1, 100, 10_000];
/// The scenarios of the tower benchmarks.
pub const TOWER_SCENARIOS: [Scenario; 3] = [
    Scenario::PreflightAllowed,
    Scenario::PreflightDenied,
    Scenario::ActualAllowed,
];

/// The criterion group of a tower benchmark scenario (`tower_preflight_allowed`, ...).
pub fn tower_group(scenario: Scenario) -> String {
    format!("tower_{}", scenario.name())
}
/// The policy sizes of the compile benchmarks.
pub const COMPILE_SIZES: [usize; 3] = [1_000, 10_000, 100_000];
/// The policy sizes of the compile benchmarks in quick mode.
pub const QUICK_COMPILE_SIZES: [usize; 2] = [1_000, 10_000];

/// The environment variable that selects quick mode (fewer sizes, shorter
/// measurements) for smoke runs: set it to anything but `0` or empty.
pub const QUICK_ENV: &str = "CORSC_BENCH_QUICK";

/// Whether quick mode is on (see [`QUICK_ENV`]).
pub fn quick() -> bool {
    std::env::var(QUICK_ENV).is_ok_and(|value| !value.is_empty() && value != "0")
}

/// The eval policy sizes for this run.
pub fn eval_sizes() -> &'static [usize] {
    if quick() {
        &QUICK_EVAL_SIZES
    } else {
        &EVAL_SIZES
    }
}

/// The compile policy sizes for this run.
pub fn compile_sizes() -> &'static [usize] {
    if quick() {
        &QUICK_COMPILE_SIZES
    } else {
        &COMPILE_SIZES
    }
}

/// The path every request targets (the policy covers `/api/`).
pub const PATH: &str = "/api/users";
/// The requested method of the preflights (not safelisted: must be listed).
pub const REQUEST_METHOD: &str = "PUT";
/// The requested headers of the preflights.
pub const REQUEST_HEADERS: &str = "content-type,authorization";
/// The forms of one allowed `Access-Control-Request-Headers` value that
/// the `eval_request_headers` benchmarks time side by side, as
/// `(name, value)`, against the allowed preflight of a one-origin policy
/// (whose allowed headers are `content-type authorization`). The first,
/// [`CANONICAL_FORM`], is what browsers send (the Fetch standard's
/// "CORS-unsafe request-header names": lower case, sorted, joined by `,`);
/// the others are what proxies that join header lines, older WebKit and
/// hand-written clients send. Every form is allowed.
pub const REQUEST_HEADER_FORMS: [(&str, &str); 10] = [
    (CANONICAL_FORM, "authorization,content-type"),
    ("reversed", "content-type,authorization"),
    ("comma_space", "authorization, content-type"),
    ("comma_space_reversed", "content-type, authorization"),
    ("mixed_case", "Authorization,Content-Type"),
    ("mixed_case_comma_space", "Content-Type, Authorization"),
    ("comma_tab", "authorization,\tcontent-type"),
    ("space_around_comma", "authorization , content-type"),
    ("one", "content-type"),
    ("one_mixed_case", "Content-Type"),
];
/// The name of the browser's form among [`REQUEST_HEADER_FORMS`].
pub const CANONICAL_FORM: &str = "canonical";
/// The benchmark group of [`REQUEST_HEADER_FORMS`]: ids are
/// `eval_request_headers/FORM/1`.
pub const REQUEST_HEADER_FORMS_GROUP: &str = "eval_request_headers";
/// An origin no policy lists.
pub const UNKNOWN_ORIGIN: &str = "https://unknown.example.net";
/// The scheme every generated origin has.
pub const SCHEME: &str = "https://";

/// Which kinds of pattern a generated policy has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Exact origins only.
    Exact,
    /// One pattern in ten (and the last one) is a subdomain wildcard,
    /// `https://*.LABEL.example.org`; the others are exact.
    Wildcard10,
}

impl Variant {
    /// A short name for benchmark ids and reports (`exact`, `wildcard10`).
    pub const fn name(self) -> &'static str {
        match self {
            Variant::Exact => "exact",
            Variant::Wildcard10 => "wildcard10",
        }
    }
}

/// A generated list of origin patterns, and the same list in the forms the
/// peers take.
#[derive(Clone, Debug)]
pub struct Origins {
    /// What kinds of pattern the list has.
    pub variant: Variant,
    /// The patterns in the order the policy writes them.
    pub written: Vec<String>,
    /// The exact origins, in order (every pattern without a wildcard).
    pub exact: Vec<String>,
    /// For each wildcard pattern `https://*.S`, in order, the suffix `.S`
    /// that an allowed origin ends with (after `https://` and a non-empty
    /// subdomain).
    pub wildcard_suffixes: Vec<String>,
    /// An origin that only the last written pattern allows: the pattern
    /// itself for [`Variant::Exact`], `https://app.S` for
    /// [`Variant::Wildcard10`] (whose last pattern is a wildcard).
    pub allowed: String,
}

impl Origins {
    /// `n` patterns (at least 1) with typical, pseudo-random host names
    /// (`https://{8 hex}-{i}.example.com`, from a fixed-seed xorshift, so
    /// that the automaton cannot fold them into a small counter), the
    /// allowed one written last: the worst case for a linear scan.
    pub fn generate(n: usize, variant: Variant) -> Origins {
        assert!(n >= 1, "a policy needs at least one origin");
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut origins = Origins {
            variant,
            written: Vec::with_capacity(n),
            exact: Vec::new(),
            wildcard_suffixes: Vec::new(),
            allowed: String::new(),
        };
        for i in 1..=n {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let label = format!("{:08x}-{i}", seed as u32);
            let wildcard = variant == Variant::Wildcard10 && (i.is_multiple_of(10) || i == n);
            if wildcard {
                let suffix = format!(".{label}.example.org");
                origins.written.push(format!("{SCHEME}*{suffix}"));
                if i == n {
                    origins.allowed = format!("{SCHEME}app{suffix}");
                }
                origins.wildcard_suffixes.push(suffix);
            } else {
                let origin = format!("{SCHEME}{label}.example.com");
                if i == n {
                    origins.allowed.clone_from(&origin);
                }
                origins.written.push(origin.clone());
                origins.exact.push(origin);
            }
        }
        origins
    }

    /// The `.corspolicy` source: one policy for `/api/` with these origins,
    /// methods `GET PUT`, allowed headers `content-type authorization`,
    /// credentials on. The peers are configured the same way.
    pub fn policy_source(&self) -> String {
        let mut source = String::with_capacity(self.pattern_bytes() + self.written.len() + 200);
        source.push_str("policy bench {\n    paths /api/;\n    origins");
        for origin in &self.written {
            source.push_str("\n        ");
            source.push_str(origin);
        }
        source.push_str(
            ";\n    methods GET PUT;\n    allow-headers content-type authorization;\n    credentials on;\n}\n",
        );
        source
    }

    /// The total length of the written patterns, in bytes.
    pub fn pattern_bytes(&self) -> usize {
        self.written.iter().map(String::len).sum()
    }
}

/// Whether `origin` is allowed by the wildcard pattern `https://*` +
/// `suffix`: the scheme, a non-empty subdomain, the suffix. The checks the
/// peers' hand-written predicates make, and the limit for the
/// wildcard-subdomain scenario.
#[inline]
pub fn matches_wildcard(origin: &[u8], suffix: &str) -> bool {
    origin.len() > SCHEME.len() + suffix.len()
        && origin.starts_with(SCHEME.as_bytes())
        && origin.ends_with(suffix.as_bytes())
}

/// The five requests every implementation answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// `OPTIONS` from the allowed origin (written last), requesting `PUT`
    /// with `content-type,authorization`.
    PreflightAllowed,
    /// The same preflight from an origin the policy does not list.
    PreflightDenied,
    /// `GET` from the allowed origin.
    ActualAllowed,
    /// The allowed preflight from a subdomain of the last (wildcard)
    /// pattern of a [`Variant::Wildcard10`] policy.
    WildcardSubdomain,
    /// `GET` without `Origin`.
    NonCors,
}

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Scenario; 5] = [
        Scenario::PreflightAllowed,
        Scenario::PreflightDenied,
        Scenario::ActualAllowed,
        Scenario::WildcardSubdomain,
        Scenario::NonCors,
    ];

    /// The name in benchmark ids and reports (`preflight_allowed`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Scenario::PreflightAllowed => "preflight_allowed",
            Scenario::PreflightDenied => "preflight_denied",
            Scenario::ActualAllowed => "actual_allowed",
            Scenario::WildcardSubdomain => "wildcard_subdomain",
            Scenario::NonCors => "non_cors",
        }
    }

    /// The policy variant the scenario runs against.
    pub const fn variant(self) -> Variant {
        match self {
            Scenario::WildcardSubdomain => Variant::Wildcard10,
            _ => Variant::Exact,
        }
    }

    /// The decision corsc must reach.
    pub const fn expected_decision(self) -> Decision {
        match self {
            Scenario::PreflightAllowed | Scenario::WildcardSubdomain => Decision::PreflightAllowed,
            Scenario::PreflightDenied => Decision::PreflightDenied,
            Scenario::ActualAllowed => Decision::ActualAllowed,
            Scenario::NonCors => Decision::Pass,
        }
    }

    /// Whether the request is a preflight (answered by the middleware
    /// without the inner service).
    pub const fn is_preflight(self) -> bool {
        matches!(
            self,
            Scenario::PreflightAllowed | Scenario::PreflightDenied | Scenario::WildcardSubdomain
        )
    }

    /// Whether the answer carries `Access-Control-Allow-Origin`.
    pub const fn allows(self) -> bool {
        matches!(
            self,
            Scenario::PreflightAllowed | Scenario::ActualAllowed | Scenario::WildcardSubdomain
        )
    }

    /// The request, for a policy generated as `origins`.
    pub fn request(self, origins: &Origins) -> RequestSpec {
        let preflight = |origin: &str| RequestSpec {
            method: "OPTIONS",
            path: PATH,
            origin: Some(origin.to_owned()),
            request_method: Some(REQUEST_METHOD),
            request_headers: Some(REQUEST_HEADERS),
        };
        match self {
            Scenario::PreflightAllowed | Scenario::WildcardSubdomain => preflight(&origins.allowed),
            Scenario::PreflightDenied => preflight(UNKNOWN_ORIGIN),
            Scenario::ActualAllowed => RequestSpec {
                method: "GET",
                path: PATH,
                origin: Some(origins.allowed.clone()),
                request_method: None,
                request_headers: None,
            },
            Scenario::NonCors => RequestSpec {
                method: "GET",
                path: PATH,
                origin: None,
                request_method: None,
                request_headers: None,
            },
        }
    }
}

/// One request, in a form every implementation can be fed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSpec {
    /// The method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// The `Origin` header, if any.
    pub origin: Option<String>,
    /// The `Access-Control-Request-Method` header, if any.
    pub request_method: Option<&'static str>,
    /// The `Access-Control-Request-Headers` header, if any.
    pub request_headers: Option<&'static str>,
}

impl RequestSpec {
    /// The request as corsc's core takes it (borrowing `self`).
    pub fn corsc(&self) -> Request<'_> {
        let mut request = Request::new(self.method.as_bytes(), self.path.as_bytes());
        request.origin = self.origin.as_deref().map(str::as_bytes);
        request.request_method = self.request_method.map(str::as_bytes);
        request.request_headers = self.request_headers.map(str::as_bytes);
        request
    }

    /// The request as an `http` 1.x request with an empty body (tower-http,
    /// the django-style baseline).
    pub fn http(&self) -> http::Request<()> {
        let mut builder = http::Request::builder().method(self.method).uri(self.path);
        if let Some(origin) = &self.origin {
            builder = builder.header(http::header::ORIGIN, origin.as_str());
        }
        if let Some(method) = self.request_method {
            builder = builder.header(http::header::ACCESS_CONTROL_REQUEST_METHOD, method);
        }
        if let Some(headers) = self.request_headers {
            builder = builder.header(http::header::ACCESS_CONTROL_REQUEST_HEADERS, headers);
        }
        builder.body(()).expect("valid benchmark request")
    }

    /// The request as actix-web's `ServiceRequest` (built with
    /// `actix_web::test::TestRequest`, no server or runtime involved).
    pub fn actix(&self) -> actix_web::dev::ServiceRequest {
        use actix_web::http::{header, Method};
        let mut request = actix_web::test::TestRequest::default()
            .method(Method::from_bytes(self.method.as_bytes()).expect("valid method"))
            .uri(self.path);
        if let Some(origin) = &self.origin {
            request = request.insert_header((header::ORIGIN, origin.as_str()));
        }
        if let Some(method) = self.request_method {
            request = request.insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, method));
        }
        if let Some(headers) = self.request_headers {
            request = request.insert_header((header::ACCESS_CONTROL_REQUEST_HEADERS, headers));
        }
        request.to_srv_request()
    }
}

/// Polls `future` once without a runtime (a no-op waker) and returns its
/// output. Every future the benchmarks poll completes at once: the peers'
/// CORS futures and their no-op inner services never wait.
///
/// # Panics
///
/// If the future is pending.
pub fn poll_ready_now<F: Future>(future: F) -> F::Output {
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmarked future must complete on its first poll"),
    }
}

/// Compiles `source` with corsc, panicking on a compile error.
pub fn compile_table(source: &str) -> Vec<u8> {
    match cors_policy_lang::compile(source) {
        Ok(compiled) => compiled.table,
        Err(failure) => panic!("benchmark policy must compile: {failure}"),
    }
}

/// Everything one policy size needs: the origins, corsc's table and the
/// peers configured from the same origins.
pub struct Fixture {
    /// The generated origins.
    pub origins: Origins,
    /// corsc's compiled table.
    pub table: Vec<u8>,
    /// tower-http's `Cors` around a no-op service.
    pub tower: peers::TowerPeer,
    /// actix-cors' middleware around a no-op service.
    pub actix: peers::ActixPeer,
    /// The django-style scan.
    pub django: peers::DjangoPeer,
}

impl Fixture {
    /// Generates `n` origins of `variant` and configures every implementation.
    pub fn new(n: usize, variant: Variant) -> Fixture {
        let origins = Origins::generate(n, variant);
        let table = compile_table(&origins.policy_source());
        Fixture {
            tower: peers::TowerPeer::new(&origins),
            actix: peers::ActixPeer::new(&origins),
            django: peers::DjangoPeer::new(&origins),
            table,
            origins,
        }
    }

    /// corsc's loaded policy.
    pub fn policy(&self) -> Table<'_> {
        Table::from_bytes(&self.table).expect("a freshly compiled table loads")
    }

    /// Checks that every implementation answers `scenario` as expected:
    /// corsc's decision, and for every implementation whether the answer
    /// carries `Access-Control-Allow-Origin` (with the request's origin).
    pub fn verify(&mut self, scenario: Scenario) -> Result<(), String> {
        let spec = scenario.request(&self.origins);
        let expected_origin = if scenario.allows() {
            spec.origin.as_deref()
        } else {
            None
        };
        // Borrows only the table, so that the peers can be called below.
        let policy = Table::from_bytes(&self.table).expect("a freshly compiled table loads");
        let outcome = policy.eval(&spec.corsc());
        let name = scenario.name();
        if outcome.decision != scenario.expected_decision() {
            return Err(format!(
                "{name}: corsc decided {} ({:?}), expected {}",
                outcome.decision,
                outcome.reason,
                scenario.expected_decision()
            ));
        }
        let answers = [
            (
                "corsc",
                outcome
                    .header("access-control-allow-origin")
                    .map(<[u8]>::to_vec),
            ),
            (
                peers::TOWER,
                peers::allow_origin_http(&self.tower.call(spec.http())),
            ),
            (
                peers::ACTIX,
                peers::allow_origin_actix(&self.actix.call(spec.actix())),
            ),
            (
                peers::DJANGO,
                peers::allow_origin_http(&self.django.handle(&spec.http())),
            ),
        ];
        for (implementation, answer) in answers {
            if answer.as_deref() != expected_origin.map(str::as_bytes) {
                return Err(format!(
                    "{name}: {implementation} answered Access-Control-Allow-Origin {:?}, expected {:?}",
                    answer.map(|value| String::from_utf8_lossy(&value).into_owned()),
                    expected_origin
                ));
            }
        }
        Ok(())
    }
}

/// Calls `each(fixture, scenario, size)` for every scenario at every eval
/// size, on fixtures (one per variant and size) that answered the scenario
/// as expected: the shared loop of the benchmarks and of `alloc_count`.
///
/// # Panics
///
/// When an implementation gives a fixture the wrong answer: a misconfigured
/// peer must not be measured.
pub fn each_verified_scenario(mut each: impl FnMut(&mut Fixture, Scenario, usize)) {
    for &size in eval_sizes() {
        let mut exact = Fixture::new(size, Variant::Exact);
        let mut wildcard = Fixture::new(size, Variant::Wildcard10);
        for scenario in Scenario::ALL {
            let fixture = match scenario.variant() {
                Variant::Exact => &mut exact,
                Variant::Wildcard10 => &mut wildcard,
            };
            if let Err(error) = fixture.verify(scenario) {
                panic!("{size} origins: {error}");
            }
            each(fixture, scenario, size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lists_put_the_allowed_origin_last() {
        let exact = Origins::generate(100, Variant::Exact);
        assert_eq!(exact.written.len(), 100);
        assert_eq!(exact.exact.len(), 100);
        assert_eq!(exact.written.last(), Some(&exact.allowed));
        let wild = Origins::generate(100, Variant::Wildcard10);
        assert_eq!(wild.wildcard_suffixes.len(), 10);
        assert_eq!(wild.exact.len(), 90);
        assert!(wild.written.last().unwrap().starts_with("https://*."));
        assert!(matches_wildcard(
            wild.allowed.as_bytes(),
            wild.wildcard_suffixes.last().unwrap()
        ));
        let one = Origins::generate(1, Variant::Wildcard10);
        assert_eq!(one.wildcard_suffixes.len(), 1);
    }

    #[test]
    fn every_implementation_agrees_on_every_scenario() {
        for n in [1, 100] {
            for variant in [Variant::Exact, Variant::Wildcard10] {
                let mut fixture = Fixture::new(n, variant);
                for scenario in Scenario::ALL {
                    if scenario == Scenario::WildcardSubdomain && variant == Variant::Exact {
                        continue;
                    }
                    fixture.verify(scenario).unwrap();
                }
            }
        }
    }

    #[test]
    fn wildcard_check_needs_a_subdomain() {
        assert!(!matches_wildcard(
            b"https://.a.example.org",
            ".a.example.org"
        ));
        assert!(!matches_wildcard(
            b"http://x.a.example.org",
            ".a.example.org"
        ));
        assert!(matches_wildcard(
            b"https://x.a.example.org",
            ".a.example.org"
        ));
    }
}
