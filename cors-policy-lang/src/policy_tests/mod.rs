//! `test` blocks: requests written next to the policies, with the outcome
//! expected for each, checked against the compiled table.
//!
//! ```text
//! test "preflight from the app" {
//!     request OPTIONS /api/users;
//!     origin https://app.example.com;
//!     request-method PUT;
//!     request-headers content-type authorization;
//!     expect preflight-allowed;
//!     expect-header access-control-allow-origin https://app.example.com;
//! }
//! ```
//!
//! [`validate`] turns the parsed [`TestBlock`](crate::ast::TestBlock)s into [`TestCase`]s,
//! reporting every mistake as a diagnostic (codes `CORS0100` to
//! `CORS0108`); [`run`] evaluates each case with the same
//! [`cors_match_core::Table::eval`] the hosts use and compares the outcome
//! with the expectations. Test blocks never reach the model or the table:
//! a file compiles to the same bytes with or without them.
//!
//! The number of tests per file ([`MAX_TESTS`]), of directives per test
//! ([`MAX_DIRECTIVES`]), of arguments per directive ([`MAX_ARGS`]) and the
//! length of each argument ([`MAX_VALUE_BYTES`]) are capped, so checking
//! and running the tests of any file takes bounded time and memory.

mod check;
mod run;

use std::ops::Range;

use cors_match_core::{Decision, Reason, Request};

use crate::ast::Spanned;
use crate::diagnostics::{Code, Diagnostic};

pub use check::validate;
pub use run::{run, Actual, Mismatch, TestResult};

/// The most `test` blocks one file may hold.
pub const MAX_TESTS: usize = 1_000;
/// The most directives one `test` block may hold.
pub const MAX_DIRECTIVES: usize = 64;
/// The most arguments one directive of a test may have.
pub const MAX_ARGS: usize = 64;
/// The longest argument of a test directive, or name of a test, in bytes.
pub const MAX_VALUE_BYTES: usize = 8 * 1024;

/// One validated `test` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    /// The test's name and where it is written.
    pub name: Spanned<String>,
    /// From `test` to the closing `}`.
    pub span: Range<usize>,
    /// The request to evaluate.
    pub request: TestRequest,
    /// What the outcome must be.
    pub expect: Expectation,
}

/// The request of a test, owning its values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestRequest {
    /// The method (`request METHOD PATH;`).
    pub method: String,
    /// The path, a query included if one was written (eval ignores it).
    pub path: String,
    /// The `Origin` value (`origin ...;`).
    pub origin: Option<String>,
    /// The `Access-Control-Request-Method` value (`request-method ...;`).
    pub request_method: Option<String>,
    /// The `Access-Control-Request-Headers` value: the names of
    /// `request-headers` joined with `,`, or its one quoted value.
    pub request_headers: Option<String>,
    /// `private-network;`: `Access-Control-Request-Private-Network: true`.
    pub private_network: bool,
}

impl TestRequest {
    /// The request as eval takes it, borrowing from `self`.
    pub fn as_request(&self) -> Request<'_> {
        Request {
            method: self.method.as_bytes(),
            path: self.path.as_bytes(),
            origin: self.origin.as_deref().map(str::as_bytes),
            request_method: self.request_method.as_deref().map(str::as_bytes),
            request_headers: self.request_headers.as_deref().map(str::as_bytes),
            request_private_network: self.private_network.then_some(&b"true"[..]),
        }
    }
}

/// What a test expects of the outcome. Only what is written is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// `expect DECISION;`
    pub decision: Decision,
    /// `expect-reason REASON;`
    pub reason: Option<Reason>,
    /// `expect-status N;`
    pub status: Option<u16>,
    /// `expect-header NAME VALUE;`: lower-case name, exact value.
    pub headers: Vec<(String, String)>,
    /// `expect-no-header NAME;`: lower-case names.
    pub absent_headers: Vec<String>,
}

/// The name as the reports show it: quoted, with escapes.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.escape_debug())
}

/// A checked file and its tests: what `corsc test` runs.
#[derive(Debug)]
pub struct Suite {
    /// The policies checked and compiled, exactly as [`crate::check`]
    /// returns them (test blocks included in the diagnostics).
    pub checked: crate::Checked,
    /// The valid tests, in source order (empty when the file has errors).
    pub cases: Vec<TestCase>,
}

impl Suite {
    /// Runs the tests against the table; `None` when the file has errors
    /// (no table).
    pub fn run(&self) -> Option<Vec<TestResult<'_>>> {
        let table = self.checked.table.as_ref()?;
        // The table was just compiled by this crate: it always loads.
        run(&self.cases, table).ok()
    }

    /// The diagnostic a failed test is reported as: at its `test NAME`,
    /// headed by its first mismatch.
    pub fn failure_diagnostic(result: &TestResult<'_>) -> Option<Diagnostic> {
        let first = result.mismatches.first()?;
        let case = result.case;
        let mut diagnostic = Diagnostic::error(
            Code::TestFailed,
            format!("test {} failed: {first}", quote(&case.name.value)),
            case.span.start..case.name.span.end.max(case.span.start),
        )
        .with_label("this test failed");
        for mismatch in &result.mismatches[1..] {
            diagnostic = diagnostic.with_note(case.span.clone(), format!("also: {mismatch}"));
        }
        Some(diagnostic)
    }
}

/// Checks `source` (policies and tests alike) and keeps its valid tests.
pub fn load(source: &str) -> Suite {
    let (checked, cases) = crate::check_with_tests(source);
    Suite { checked, cases }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "policy api {\n    paths /api/;\n    origins https://app.example.com;\n    methods GET PUT;\n    allow-headers content-type;\n    credentials on;\n}\n";

    fn codes(tests: &str) -> Vec<Code> {
        let source = format!("{POLICY}{tests}");
        let suite = load(&source);
        suite.checked.diagnostics.iter().map(|d| d.code).collect()
    }

    fn cases(tests: &str) -> Vec<TestCase> {
        let source = format!("{POLICY}{tests}");
        let suite = load(&source);
        assert!(
            suite.checked.diagnostics.is_empty(),
            "{:?}",
            suite.checked.diagnostics
        );
        suite.cases
    }

    #[test]
    fn parses_a_full_test() {
        let cases = cases(
            "test \"preflight\" {\n request OPTIONS /api/users?x=1;\n origin https://app.example.com;\n \
             request-method PUT;\n request-headers content-type X-A;\n private-network;\n \
             expect preflight-denied;\n expect-reason header-not-allowed;\n expect-status 403;\n \
             expect-header Vary \"Origin, Access-Control-Request-Method, Access-Control-Request-Headers\";\n \
             expect-no-header access-control-allow-origin;\n}\n",
        );
        assert_eq!(cases.len(), 1);
        let case = &cases[0];
        assert_eq!(case.name.value, "preflight");
        assert_eq!(
            case.request,
            TestRequest {
                method: "OPTIONS".into(),
                path: "/api/users?x=1".into(),
                origin: Some("https://app.example.com".into()),
                request_method: Some("PUT".into()),
                request_headers: Some("content-type,X-A".into()),
                private_network: true,
            }
        );
        assert_eq!(case.expect.decision, Decision::PreflightDenied);
        assert_eq!(case.expect.reason, Some(Reason::HeaderNotAllowed));
        assert_eq!(case.expect.status, Some(403));
        assert_eq!(case.expect.headers[0].0, "vary");
        assert_eq!(
            case.expect.absent_headers,
            vec!["access-control-allow-origin".to_string()]
        );
    }

    #[test]
    fn quoted_values_are_sent_as_written() {
        let cases = cases(
            "test raw { request GET /api/x; origin \"https://App.example.com/\"; \
             request-headers \"content-type ,  x-a\"; expect actual-denied; }",
        );
        assert_eq!(
            cases[0].request.origin.as_deref(),
            Some("https://App.example.com/")
        );
        assert_eq!(
            cases[0].request.request_headers.as_deref(),
            Some("content-type ,  x-a")
        );
    }

    #[test]
    fn each_mistake_has_its_code() {
        use Code::*;
        let cases: &[(&str, &[Code])] = &[
            ("test a { request GET /; expect pass; origni https://a.com; }", &[TestUnknownDirective]),
            ("test a { request GET /; request GET /x; expect pass; }", &[TestDuplicate]),
            ("test a { request GET /; expect pass; }\ntest a { request GET /; expect pass; }", &[TestDuplicate]),
            ("test a { origin https://a.com; expect pass; }", &[TestMissingDirective]),
            ("test a { request GET /; }", &[TestMissingDirective]),
            ("test a { request GET; expect pass; }", &[TestWrongArguments]),
            ("test a { request GET /; expect pass; private-network yes; }", &[TestWrongArguments]),
            ("test a { request GET /; expect pass pass; }", &[TestWrongArguments]),
            ("test \"\" { request GET /; expect pass; }", &[TestWrongArguments]),
            ("test a { request \"G T\" /; expect pass; }", &[TestInvalidRequest]),
            ("test a { request GET api; expect pass; }", &[TestInvalidRequest]),
            ("test a { request GET /; origin https://a.com; request-headers a,b; expect actual-allowed; }", &[TestInvalidRequest]),
            ("test a { request GET /; origin ~\"x\"; expect pass; }", &[TestInvalidRequest]),
            ("test a { request GET /; origin app.example.com; expect actual-allowed; }", &[TestMalformedOrigin]),
            ("test a { request GET /; origin https://a.com/; expect actual-allowed; }", &[TestMalformedOrigin]),
            ("test a { request GET /; origin https://A.com; expect actual-allowed; }", &[TestMalformedOrigin]),
            ("test a { request GET /; origin https://a.com:99999; expect actual-allowed; }", &[TestMalformedOrigin]),
            ("test a { request GET /; origin https://*.a.com; expect actual-allowed; }", &[TestMalformedOrigin]),
            ("test a { request GET /; expect allowed; }", &[TestInvalidExpectation]),
            ("test a { request GET /; expect pass; expect-reason nope; }", &[TestInvalidExpectation]),
            ("test a { request GET /; expect pass; expect-status 2O4; }", &[TestInvalidExpectation]),
            ("test a { request GET /; expect pass; expect-header content-type x; }", &[TestInvalidExpectation]),
            ("test a { request GET /; expect actual-allowed; }", &[TestCannotPass]),
            ("test a { request GET /; origin https://a.com; expect preflight-allowed; }", &[TestCannotPass]),
            ("test a { request OPTIONS /; origin https://a.com; request-method PUT; expect actual-denied; }", &[TestCannotPass]),
            ("test a { request GET /; expect pass; expect-reason origin-not-allowed; }", &[TestCannotPass]),
            ("test a { request GET /; expect pass; expect-status 204; }", &[TestCannotPass]),
            ("test a { request GET /; expect pass; expect-header vary a; expect-no-header vary; }", &[TestCannotPass]),
            ("test a { request GET /; expect pass; expect-header vary a; expect-header Vary b; }", &[TestCannotPass]),
        ];
        for (tests, expected) in cases {
            assert_eq!(codes(tests), *expected, "{tests}");
        }
    }

    #[test]
    fn suggestions_name_the_directive_and_decision() {
        let source = format!(
            "{POLICY}test a {{ request GET /; origins https://a.com; expect actual-alowed; }}"
        );
        let suite = load(&source);
        let helps: Vec<_> = suite
            .checked
            .diagnostics
            .iter()
            .map(|d| d.help.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            helps,
            vec![
                "did you mean `origin`?".to_string(),
                "did you mean `actual-allowed`?".to_string()
            ]
        );
    }

    #[test]
    fn caps_are_errors_that_say_the_cap() {
        let many: String = (0..=MAX_TESTS)
            .map(|i| format!("test t{i} {{ request GET /; expect pass; }}\n"))
            .collect();
        let suite = load(&format!("{POLICY}{many}"));
        let messages: Vec<_> = suite
            .checked
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(
            messages,
            vec![format!(
                "too many tests: 1001 in this file, at most 1000 are allowed"
            )]
        );
        let long = "a".repeat(MAX_VALUE_BYTES + 1);
        assert_eq!(
            codes(&format!("test {long} {{ request GET /; expect pass; }}")),
            vec![Code::TestTooLarge]
        );
        assert_eq!(
            codes(&format!("test a {{ request GET /{long}; expect pass; }}")),
            vec![Code::TestTooLarge, Code::TestMissingDirective]
        );
        let args = "x ".repeat(MAX_ARGS + 1);
        assert_eq!(
            codes(&format!(
                "test a {{ request GET /; request-headers {args}; expect pass; }}"
            )),
            vec![Code::TestTooLarge]
        );
        let directives = "expect-no-header vary; ".repeat(MAX_DIRECTIVES + 1);
        assert_eq!(
            codes(&format!(
                "test a {{ request GET /; expect pass; {directives} }}"
            )),
            vec![Code::TestTooLarge]
        );
    }

    #[test]
    fn runs_and_reports_mismatches() {
        let source = format!(
            "{POLICY}\
test ok {{ request OPTIONS /api/x; origin https://app.example.com; request-method PUT;
  expect preflight-allowed; expect-status 204;
  expect-header access-control-allow-origin https://app.example.com;
  expect-header access-control-allow-credentials true; }}
test bad {{ request OPTIONS /api/x; origin https://app.example.com; request-method PUT;
  request-headers authorization;
  expect preflight-allowed; expect-status 204;
  expect-header access-control-allow-origin https://app.example.com;
  expect-no-header vary; }}
"
        );
        let suite = load(&source);
        assert!(
            suite.checked.diagnostics.is_empty(),
            "{:?}",
            suite.checked.diagnostics
        );
        let results = suite.run().expect("a table");
        assert!(results[0].passed(), "{:?}", results[0]);
        let texts: Vec<String> = results[1]
            .mismatches
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            texts,
            vec![
                "expected preflight-allowed, got preflight-denied (header-not-allowed)",
                "expected status 204, got 403",
                "expected header `access-control-allow-origin: https://app.example.com`, got no `access-control-allow-origin`",
                "expected no `vary` header, got `vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers`",
            ]
        );
        let diagnostic = Suite::failure_diagnostic(&results[1]).expect("failed");
        assert_eq!(diagnostic.code, Code::TestFailed);
        assert_eq!(&source[diagnostic.span.clone()], "test bad");
        assert_eq!(diagnostic.notes.len(), 3);
        assert!(Suite::failure_diagnostic(&results[0]).is_none());
    }

    #[test]
    fn tests_do_not_change_the_table() {
        let with = format!("{POLICY}test a {{ request GET /api/; origin https://app.example.com; expect actual-allowed; }}\n");
        let a = crate::compile(POLICY).expect("compiles").table;
        let b = crate::compile(&with).expect("compiles").table;
        assert_eq!(a, b);
    }
}
