//! Running test cases against a compiled table and describing what
//! differs.

use std::fmt;

use cors_match_core::{Decision, LoadError, Reason, Table};

use super::TestCase;

/// A test's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestResult<'c> {
    /// The test.
    pub case: &'c TestCase,
    /// What eval answered.
    pub actual: Actual,
    /// Every expectation that was not met, in the order of [`Expectation`](super::Expectation)'s
    /// fields; empty when the test passed.
    pub mismatches: Vec<Mismatch>,
}

impl TestResult<'_> {
    /// Whether every expectation was met.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// The outcome eval gave, owning its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actual {
    /// The decision.
    pub decision: Decision,
    /// The reason, if any.
    pub reason: Option<Reason>,
    /// The policy that covered the path, if any (lossy UTF-8).
    pub policy: Option<String>,
    /// The preflight status, if any.
    pub status: Option<u16>,
    /// The response headers, in eval's order (values as lossy UTF-8).
    pub headers: Vec<(&'static str, String)>,
}

impl Actual {
    /// `decision`, with the reason in parentheses when there is one:
    /// `preflight-denied (header-not-allowed)`.
    pub fn summary(&self) -> String {
        match self.reason {
            Some(reason) => format!("{} ({reason})", self.decision),
            None => self.decision.to_string(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One expectation that was not met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// `expect`: another decision (`actual` includes the reason).
    Decision {
        /// The decision expected.
        expected: Decision,
        /// The decision and reason, as [`Actual::summary`].
        actual: String,
    },
    /// `expect-reason`: another reason, or none.
    Reason {
        /// The reason expected.
        expected: Reason,
        /// The reason eval gave.
        actual: Option<Reason>,
    },
    /// `expect-status`: another status, or none.
    Status {
        /// The status expected.
        expected: u16,
        /// The status eval gave.
        actual: Option<u16>,
    },
    /// `expect-header`: the header is missing or has another value.
    Header {
        /// The lower-case header name.
        name: String,
        /// The value expected.
        expected: String,
        /// The value eval gave, if the header was there.
        actual: Option<String>,
    },
    /// `expect-no-header`: the header is there.
    UnexpectedHeader {
        /// The lower-case header name.
        name: String,
        /// Its value.
        actual: String,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Decision { expected, actual } => {
                write!(f, "expected {expected}, got {actual}")
            }
            Mismatch::Reason { expected, actual } => match actual {
                Some(actual) => write!(f, "expected reason {expected}, got {actual}"),
                None => write!(f, "expected reason {expected}, got no reason"),
            },
            Mismatch::Status { expected, actual } => match actual {
                Some(actual) => write!(f, "expected status {expected}, got {actual}"),
                None => write!(f, "expected status {expected}, got no status"),
            },
            Mismatch::Header {
                name,
                expected,
                actual,
            } => match actual {
                Some(actual) => write!(
                    f,
                    "expected header `{name}: {expected}`, got `{name}: {actual}`"
                ),
                None => write!(f, "expected header `{name}: {expected}`, got no `{name}`"),
            },
            Mismatch::UnexpectedHeader { name, actual } => {
                write!(f, "expected no `{name}` header, got `{name}: {actual}`")
            }
        }
    }
}

/// Runs `cases` against the compiled `table`, in order.
///
/// # Errors
///
/// The table does not load (it was not written by this compiler).
pub fn run<'c>(cases: &'c [TestCase], table: &[u8]) -> Result<Vec<TestResult<'c>>, LoadError> {
    let table = Table::from_bytes(table)?;
    Ok(cases.iter().map(|case| run_one(&table, case)).collect())
}

fn run_one<'c>(table: &Table<'_>, case: &'c TestCase) -> TestResult<'c> {
    let request = case.request.as_request();
    let outcome = table.eval(&request);
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let actual = Actual {
        decision: outcome.decision,
        reason: outcome.reason,
        policy: outcome.policy.map(lossy),
        status: outcome.status,
        headers: outcome
            .headers
            .iter()
            .map(|h| (h.name, lossy(h.value)))
            .collect(),
    };
    let expect = &case.expect;
    let mut mismatches = Vec::new();
    if actual.decision != expect.decision {
        mismatches.push(Mismatch::Decision {
            expected: expect.decision,
            actual: actual.summary(),
        });
    }
    if let Some(reason) = expect.reason {
        if actual.reason != Some(reason) {
            mismatches.push(Mismatch::Reason {
                expected: reason,
                actual: actual.reason,
            });
        }
    }
    if let Some(status) = expect.status {
        if actual.status != Some(status) {
            mismatches.push(Mismatch::Status {
                expected: status,
                actual: actual.status,
            });
        }
    }
    for (name, value) in &expect.headers {
        let got = actual.header(name);
        if got != Some(value.as_str()) {
            mismatches.push(Mismatch::Header {
                name: name.clone(),
                expected: value.clone(),
                actual: got.map(str::to_string),
            });
        }
    }
    for name in &expect.absent_headers {
        if let Some(got) = actual.header(name) {
            mismatches.push(Mismatch::UnexpectedHeader {
                name: name.clone(),
                actual: got.to_string(),
            });
        }
    }
    TestResult {
        case,
        actual,
        mismatches,
    }
}
