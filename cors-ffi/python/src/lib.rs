//! `corsc._corsc`: the Python binding of corsc. The compiler
//! (`cors-policy-lang`) checks and compiles a policy once; the core
//! (`cors-match-core`) evaluates each request against the loaded table, in
//! time independent of the policy's size. The middlewares (Django, ASGI,
//! WSGI) are plain Python on top, in `python/corsc/`.

use std::borrow::Cow;

use cors_match_core::format::MAGIC;
use cors_match_core::{Request, Table};
use cors_policy_lang::import::settings::{
    Assignment, NotLiteral, SeqKind, Settings, Spanned, Value,
};
use cors_policy_lang::{Diagnostics, RenderStyle};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString, PyTuple};

create_exception!(
    _corsc,
    PolicyError,
    PyValueError,
    "A policy that corsc refuses (errors in the source) or a table it cannot load. \
     `diagnostics` holds every diagnostic, `rendered` the text `corsc check` prints."
);

self_cell::self_cell!(
    /// Table bytes and the validated table that borrows them.
    struct LoadedTable {
        owner: Box<[u8]>,
        #[covariant]
        dependent: Table,
    }
);

/// One diagnostic of `corsc check`.
#[pyclass(frozen, module = "corsc", get_all)]
#[derive(Clone)]
struct Diagnostic {
    /// `CORS0011`...
    code: String,
    /// `"error"` or `"warning"`.
    severity: String,
    /// Line of the start of the problem, from 1.
    line: usize,
    /// Column, from 1, in characters.
    column: usize,
    /// The headline.
    message: String,
    /// The diagnostic as `corsc check` renders it (source line, caret,
    /// help).
    rendered: String,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        format!(
            "<Diagnostic {}[{}] {}:{}: {}>",
            self.severity, self.code, self.line, self.column, self.message
        )
    }

    fn __str__(&self) -> String {
        format!(
            "{}:{}: {}[{}]: {}",
            self.line, self.column, self.severity, self.code, self.message
        )
    }
}

/// Line (from 1) and column (from 1, in characters) of byte `at`.
fn line_column(source: &str, at: usize) -> (usize, usize) {
    let at = at.min(source.len());
    let at = (0..=at)
        .rev()
        .find(|&i| source.is_char_boundary(i))
        .unwrap_or(0);
    let before = &source[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

fn diagnostics_of(diagnostics: &Diagnostics, source: &str, filename: &str) -> Vec<Diagnostic> {
    diagnostics
        .sorted()
        .into_iter()
        .map(|d| {
            let (line, column) = line_column(source, d.span.start);
            let mut one = Diagnostics::new();
            one.push(d.clone());
            Diagnostic {
                code: d.code.to_string(),
                severity: d.severity.to_string(),
                line,
                column,
                message: d.message.clone(),
                rendered: one.render(filename, source, RenderStyle::Rich),
            }
        })
        .collect()
}

fn policy_error(
    py: Python<'_>,
    message: String,
    diagnostics: Vec<Diagnostic>,
    rendered: String,
) -> PyErr {
    let error = PolicyError::new_err(message);
    let value = error.value(py);
    let list: Vec<Py<Diagnostic>> = diagnostics
        .into_iter()
        .filter_map(|d| Py::new(py, d).ok())
        .collect();
    let _ = value.setattr("diagnostics", list);
    let _ = value.setattr("rendered", rendered);
    error
}

/// The outcome of one request: what to answer, and why.
#[pyclass(frozen, module = "corsc")]
struct Outcome {
    decision: &'static str,
    reason: Option<&'static str>,
    policy: Option<String>,
    status: Option<u16>,
    headers: Vec<(&'static str, Vec<u8>)>,
}

#[pymethods]
impl Outcome {
    /// `"pass"` (not a CORS request, reason `"not-cors"`, or no policy
    /// covers the path, reason `"no-policy"`: answer as if corsc were not
    /// there), `"preflight-allowed"`, `"preflight-denied"`,
    /// `"actual-allowed"` or `"actual-denied"`.
    #[getter]
    fn decision(&self) -> &'static str {
        self.decision
    }

    /// Why a request was denied (`"origin-not-allowed"`...), else `None`.
    #[getter]
    fn reason(&self) -> Option<&'static str> {
        self.reason
    }

    /// The name of the policy that covers the path (`None` when none does).
    #[getter]
    fn policy(&self) -> Option<&str> {
        self.policy.as_deref()
    }

    /// A preflight's status (204, 403...); `None` for an actual request,
    /// whose status is the application's.
    #[getter]
    fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whether this is a preflight to answer without calling the
    /// application.
    #[getter]
    fn is_preflight(&self) -> bool {
        self.decision.starts_with("preflight")
    }

    /// Whether the request is allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.decision.ends_with("-allowed")
    }

    /// The headers to send, `(name, value)` with lower-case names, values
    /// decoded as Latin-1 (what WSGI and Django use for header bytes).
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.headers
            .iter()
            .map(|(name, value)| (*name, value.iter().map(|&b| char::from(b)).collect()))
            .collect()
    }

    /// The headers as `(bytes, bytes)` pairs, as ASGI sends them.
    #[getter]
    fn raw_headers<'py>(&self, py: Python<'py>) -> Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        self.headers
            .iter()
            .map(|(name, value)| (PyBytes::new(py, name.as_bytes()), PyBytes::new(py, value)))
            .collect()
    }

    fn __repr__(&self) -> String {
        let none = || "None".to_string();
        format!(
            "<Outcome {} reason={} policy={} status={}>",
            self.decision,
            self.reason.map_or_else(none, |r| format!("'{r}'")),
            self.policy.as_ref().map_or_else(none, |p| format!("{p:?}")),
            self.status.map_or_else(none, |s| s.to_string()),
        )
    }
}

/// A header value, a method or a path as bytes: `bytes` as given, `str` as
/// Latin-1 (how WSGI and Django decode request bytes), or UTF-8 when it
/// has characters Latin-1 cannot hold (no client can send those).
fn request_bytes<'a>(value: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Cow::Owned(bytes.as_bytes().to_vec()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow()?;
        if text.chars().all(|c| (c as u32) < 256) {
            return Ok(Cow::Owned(text.chars().map(|c| c as u8).collect()));
        }
        return Ok(Cow::Owned(text.into_owned().into_bytes()));
    }
    Err(PyValueError::new_err(format!(
        "{what} must be str or bytes, not {}",
        value.get_type().name()?
    )))
}

fn optional_bytes<'a>(
    value: Option<&'a Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<Cow<'a, [u8]>>> {
    match value {
        Some(v) if !v.is_none() => request_bytes(v, what).map(Some),
        _ => Ok(None),
    }
}

/// The most a policy file or table may hold (as for `corsc`): far above
/// any real policy, so that `/dev/zero` is refused instead of filling
/// memory.
const MAX_INPUT_BYTES: u64 = 64 << 20;

fn read_limited(path: &std::path::Path) -> PyResult<Vec<u8>> {
    use std::io::Read as _;
    let io = |e: std::io::Error| PyOSError::new_err(format!("{}: {e}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(PyOSError::new_err(format!(
            "{}: larger than {} MiB; not a policy file",
            path.display(),
            MAX_INPUT_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// A checked, compiled policy, loaded for evaluation. Immutable: one
/// `Policy` may serve any number of threads.
#[pyclass(frozen, module = "corsc")]
struct Policy {
    table: LoadedTable,
    warnings: Vec<Diagnostic>,
    names: Vec<String>,
}

impl Policy {
    fn load(py: Python<'_>, bytes: Vec<u8>, warnings: Vec<Diagnostic>) -> PyResult<Self> {
        let table =
            LoadedTable::try_new(bytes.into_boxed_slice(), |bytes| Table::from_bytes(bytes))
                .map_err(|error| {
                    policy_error(
                        py,
                        format!("cannot load the table: {error}"),
                        Vec::new(),
                        String::new(),
                    )
                })?;
        let names = (0..table.borrow_dependent().policy_count())
            .filter_map(|i| table.borrow_dependent().policy_name(i))
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        Ok(Policy {
            table,
            warnings,
            names,
        })
    }

    fn compile_source(py: Python<'_>, text: &str, filename: &str) -> PyResult<Self> {
        let checked = cors_policy_lang::check(text);
        let diagnostics = diagnostics_of(&checked.diagnostics, text, filename);
        match checked.table {
            Some(table) => Policy::load(py, table, diagnostics),
            None => {
                let rendered = checked
                    .diagnostics
                    .render(filename, text, RenderStyle::Rich);
                let summary = format!(
                    "{filename}: {} error(s), {} warning(s)\n{rendered}",
                    checked.diagnostics.error_count(),
                    checked.diagnostics.warning_count()
                );
                Err(policy_error(py, summary, diagnostics, rendered))
            }
        }
    }
}

#[pymethods]
impl Policy {
    /// Checks and compiles `.corspolicy` source. Raises `PolicyError` with
    /// every diagnostic when it has errors; warnings are in `warnings`.
    #[staticmethod]
    #[pyo3(signature = (text, filename = "<string>"))]
    fn from_source(py: Python<'_>, text: &str, filename: &str) -> PyResult<Self> {
        Policy::compile_source(py, text, filename)
    }

    /// Reads a `.corspolicy` file, or a table compiled by `corsc compile`
    /// (recognized by its magic bytes).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let bytes = read_limited(&path)?;
        if bytes.starts_with(&MAGIC) {
            return Policy::load(py, bytes, Vec::new());
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            policy_error(
                py,
                format!(
                    "{}: not UTF-8 text, and not a compiled table",
                    path.display()
                ),
                Vec::new(),
                String::new(),
            )
        })?;
        Policy::compile_source(py, &text, &path.display().to_string())
    }

    /// Loads a table compiled by `corsc compile` (validated once, here).
    #[staticmethod]
    fn from_table(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        Policy::load(py, data.to_vec(), Vec::new())
    }

    /// Evaluates one request. `method`, `path` and the header values are
    /// `str` or `bytes`; a header that is absent is `None`. The path's
    /// query, if any, is ignored.
    #[pyo3(signature = (method, path, origin = None, request_method = None, request_headers = None, request_private_network = None))]
    fn evaluate(
        &self,
        method: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        origin: Option<&Bound<'_, PyAny>>,
        request_method: Option<&Bound<'_, PyAny>>,
        request_headers: Option<&Bound<'_, PyAny>>,
        request_private_network: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Outcome> {
        let method = request_bytes(method, "method")?;
        let path = request_bytes(path, "path")?;
        let origin = optional_bytes(origin, "origin")?;
        let request_method = optional_bytes(request_method, "request_method")?;
        let request_headers = optional_bytes(request_headers, "request_headers")?;
        let private_network = optional_bytes(request_private_network, "request_private_network")?;
        let mut request = Request::new(&method, &path);
        request.origin = origin.as_deref();
        request.request_method = request_method.as_deref();
        request.request_headers = request_headers.as_deref();
        request.request_private_network = private_network.as_deref();
        let outcome = self.table.borrow_dependent().eval(&request);
        Ok(Outcome {
            decision: outcome.decision.as_str(),
            reason: outcome.reason.map(|r| r.as_str()),
            policy: outcome
                .policy
                .map(|name| String::from_utf8_lossy(name).into_owned()),
            status: outcome.status,
            headers: outcome
                .headers
                .iter()
                .map(|h| (h.name, h.value.to_vec()))
                .collect(),
        })
    }

    /// The warnings `corsc check` reported on the source (none for a table).
    #[getter]
    fn warnings(&self) -> Vec<Diagnostic> {
        self.warnings.clone()
    }

    /// The names of the policies in the file, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// The compiled table's bytes (what `corsc compile` writes).
    #[getter]
    fn table<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.table.borrow_owner())
    }

    fn __repr__(&self) -> String {
        format!("<corsc.Policy {}>", self.names.join(", "))
    }
}

/// Checks `.corspolicy` source: every diagnostic, errors and warnings, in
/// source order. An empty list means the policy is clean.
#[pyfunction]
#[pyo3(signature = (text, filename = "<string>"))]
fn check(text: &str, filename: &str) -> Vec<Diagnostic> {
    let checked = cors_policy_lang::check(text);
    diagnostics_of(&checked.diagnostics, text, filename)
}

/// A Python value of a setting, as the importer's `Value`; `Err` with a
/// description for anything that is not a literal django-cors-headers
/// accepts.
fn setting_value(value: &Bound<'_, PyAny>) -> Result<Value, String> {
    setting_value_at(value, 0)
}

/// Settings nest a list or tuple in another at most once; deeper (or a
/// list that contains itself) is not a django-cors-headers setting.
const MAX_SETTING_DEPTH: usize = 8;

fn setting_value_at(value: &Bound<'_, PyAny>, depth: usize) -> Result<Value, String> {
    if depth > MAX_SETTING_DEPTH {
        return Err("a value nested more than 8 lists deep".to_string());
    }
    let spanned = |value| Spanned {
        value,
        span: 0..0,
        raw: false,
    };
    if value.is_none() {
        return Ok(Value::None);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::Str(
            s.to_cow().map_err(|e| e.to_string())?.into_owned(),
        ));
    }
    if let Ok(i) = value.extract::<i64>() {
        return Ok(Value::Int(i));
    }
    if let Ok(list) = value.cast::<PyList>() {
        let items: Result<Vec<_>, _> = list
            .iter()
            .map(|v| setting_value_at(&v, depth + 1).map(spanned))
            .collect();
        return Ok(Value::Seq(SeqKind::List, items?));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        let items: Result<Vec<_>, _> = tuple
            .iter()
            .map(|v| setting_value_at(&v, depth + 1).map(spanned))
            .collect();
        return Ok(Value::Seq(SeqKind::Tuple, items?));
    }
    // A compiled regex (re.Pattern): its pattern and flag names.
    if let (Ok(pattern), Ok(flags)) = (value.getattr("pattern"), value.getattr("flags")) {
        if let (Ok(pattern), Ok(flags)) = (pattern.extract::<String>(), flags.extract::<i64>()) {
            // re.IGNORECASE = 2, re.ASCII = 256, re.UNICODE = 32 (str
            // patterns always have it), re.VERBOSE = 64, re.DOTALL = 16,
            // re.MULTILINE = 8.
            let mut names = Vec::new();
            for (bit, name) in [
                (2, "IGNORECASE"),
                (8, "MULTILINE"),
                (16, "DOTALL"),
                (64, "VERBOSE"),
                (256, "ASCII"),
            ] {
                if flags & bit != 0 {
                    names.push(name.to_string());
                }
            }
            return Ok(Value::Regex(pattern, names));
        }
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string());
    Err(format!("a value of type `{type_name}`"))
}

/// `(severity, code, message)` of one diagnostic of a translation.
type ImportDiagnostic = (String, String, String);

/// Translates django-cors-headers settings values (a dict of setting name
/// to value, as Django has them) into `.corspolicy` source with the same
/// translation as `corsc import django`. Returns `(source, diagnostics)`,
/// each diagnostic `(severity, code, message)`.
#[pyfunction]
#[pyo3(signature = (settings, name = "django"))]
fn translate_django_settings(
    settings: &Bound<'_, PyDict>,
    name: &str,
) -> PyResult<(String, Vec<ImportDiagnostic>)> {
    let mut assignments = Vec::new();
    for (key, value) in settings.iter() {
        let key: String = key.extract()?;
        let value = setting_value(&value)
            .map(|value| Spanned {
                value,
                span: 0..0,
                raw: false,
            })
            .map_err(|what| NotLiteral { span: 0..0, what });
        assignments.push(Assignment {
            name: key,
            name_span: 0..0,
            value,
        });
    }
    let settings = Settings {
        source: String::new(),
        assignments,
        nested: Vec::new(),
    };
    let import = cors_policy_lang::import::django::translate(&settings, name);
    let diagnostics = import
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.severity.to_string(),
                d.code.to_string(),
                d.message.clone(),
            )
        })
        .collect();
    Ok((import.policy, diagnostics))
}

/// `text` as one `.corspolicy` argument (a bare word, or a quoted string),
/// or `None` when it cannot be written (a control character).
#[pyfunction]
fn policy_argument(text: &str) -> Option<String> {
    cors_policy_lang::import::argument(text)
}

#[pymodule]
fn _corsc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Policy>()?;
    m.add_class::<Outcome>()?;
    m.add_class::<Diagnostic>()?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(translate_django_settings, m)?)?;
    m.add_function(wrap_pyfunction!(policy_argument, m)?)?;
    m.add("PolicyError", m.py().get_type::<PolicyError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
