//! django-cors-headers 4.x settings to one `.corspolicy` policy: the
//! translation behind `corsc import django SETTINGS.py`.
//!
//! [`translate`] works on the settings' values ([`Settings`]), not on
//! Python source: `corsc` reads `settings.py` itself, and a host that asks
//! Django for the values can build a [`Settings`] and get the same policy
//! and diagnostics.
//!
//! What django-cors-headers 4.x does, and what this importer relies on:
//!
//! - Each setting is read with `getattr(settings, NAME, default)`. For the
//!   origin lists the current name wins unless it is absent or `None`
//!   (`CORS_ALLOWED_ORIGINS`, then `CORS_ORIGIN_WHITELIST`, then `()`); for
//!   allow-all the current name wins whenever it is set.
//! - Defaults: methods `DELETE GET OPTIONS PATCH POST PUT`, headers
//!   `accept authorization content-type user-agent x-csrftoken
//!   x-requested-with`, max-age 86400, `CORS_URLS_REGEX = r"^.*$"`,
//!   credentials, private network and allow-all `False`, no expose headers.
//! - An origin is allowed when `CORS_ALLOW_ALL_ORIGINS` is true (the lists
//!   are then not consulted), or its `urlsplit` scheme and netloc equal
//!   those of a listed origin (netloc compared case-sensitively), or it is
//!   `null` and `"null"` is listed, or `re.match(pattern, origin)` holds for
//!   a listed regex — anchored at the start only.
//! - With allow-all and credentials, the request's origin is reflected
//!   with `Access-Control-Allow-Credentials: true`.
//! - A preflight (`OPTIONS` with `Access-Control-Request-Method`) on an
//!   enabled path is answered 200 with the configured lists whatever the
//!   requested method and headers; the browser does the checking.
//! - CORS is enabled on a path when `re.match(CORS_URLS_REGEX,
//!   request.path_info)` holds.

use std::collections::BTreeMap;
use std::ops::Range;

use regex_syntax::hir::{Class, Hir, HirKind, Look};

use super::settings::{Assignment, Settings, Spanned, Value};
use super::{argument, comment, is_policy_name, Import, Severity};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, SourceIndex};

/// The django-cors-headers settings this importer translates: the current
/// name and, for three of them, the legacy (3.x) name.
pub const SETTINGS: &[(&str, Option<&str>)] = &[
    ("CORS_ALLOWED_ORIGINS", Some("CORS_ORIGIN_WHITELIST")),
    (
        "CORS_ALLOWED_ORIGIN_REGEXES",
        Some("CORS_ORIGIN_REGEX_WHITELIST"),
    ),
    ("CORS_ALLOW_ALL_ORIGINS", Some("CORS_ORIGIN_ALLOW_ALL")),
    ("CORS_ALLOW_CREDENTIALS", None),
    ("CORS_ALLOW_METHODS", None),
    ("CORS_ALLOW_HEADERS", None),
    ("CORS_EXPOSE_HEADERS", None),
    ("CORS_PREFLIGHT_MAX_AGE", None),
    ("CORS_ALLOW_PRIVATE_NETWORK", None),
    ("CORS_URLS_REGEX", None),
];

/// `corsheaders.defaults.default_headers` (django-cors-headers 4.x).
pub const DEFAULT_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// `corsheaders.defaults.default_methods` (django-cors-headers 4.x).
pub const DEFAULT_METHODS: &[&str] = &["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/// Settings of older django-cors-headers versions with no corsc equivalent.
const NO_EQUIVALENT: &[(&str, &str)] = &[
    (
        "CORS_REPLACE_HTTPS_REFERER",
        "it rewrote the Referer header for Django's CSRF check (removed in django-cors-headers 4.0); corsc only answers CORS",
    ),
    (
        "CORS_MODEL",
        "it read origins from a database model (removed in django-cors-headers 3.0); list the origins instead",
    ),
];

/// Marks a line of the body that is an `origins` argument.
const ARG: &str = "\u{0}";

/// django's default max-age, in seconds.
const DEFAULT_MAX_AGE: i64 = 86400;

/// A setting's value as read: where it was assigned, under which name.
struct Setting<'a> {
    name: &'a str,
    assignment: &'a Assignment,
    /// The line of the assigned name, from 1.
    line: usize,
}

impl Setting<'_> {
    fn origin(&self) -> String {
        format!("from {} (line {})", self.name, self.line)
    }
}

struct Importer<'a> {
    /// Lines of the settings' source, for the line numbers in messages.
    source: SourceIndex<'a>,
    settings: BTreeMap<&'a str, &'a Assignment>,
    diagnostics: Vec<Diagnostic>,
    /// Lines of the policy body, indented.
    body: Vec<String>,
    /// Behaviour changes specific to this file.
    changes: Vec<String>,
    /// Whether the output has regex origins.
    has_regexes: bool,
}

/// Translates django-cors-headers settings into `.corspolicy`.
///
/// `settings` holds the values of the `CORS_*` settings (other names are
/// ignored), however they were obtained: read from `settings.py` by
/// `corsc import django`, or taken from the running framework. `stem` names
/// the policy when it is a valid policy name (`settings` for `settings.py`);
/// otherwise the policy is named `django`.
///
/// Never fails: what cannot be translated is an error diagnostic and a
/// comment in the policy.
///
/// # Examples
///
/// ```
/// use cors_policy_lang::import::django;
/// use cors_policy_lang::import::settings::{Assignment, SeqKind, Settings, Spanned, Value};
///
/// // Values taken from the framework rather than read from a file: no
/// // source, so every span is `0..0` (line 1, column 1).
/// let value = |value| Spanned { value, span: 0..0, raw: false };
/// let origins = vec![value(Value::Str("https://app.example.com".to_string()))];
/// let settings = Settings {
///     source: String::new(),
///     assignments: vec![Assignment {
///         name: "CORS_ALLOWED_ORIGINS".to_string(),
///         name_span: 0..0,
///         value: Ok(value(Value::Seq(SeqKind::List, origins))),
///     }],
///     nested: Vec::new(),
/// };
/// let import = django::translate(&settings, "app");
/// assert!(import.is_complete());
/// assert!(import.policy.contains("origins https://app.example.com;"));
/// ```
pub fn translate(settings: &Settings, stem: &str) -> Import {
    let mut importer = Importer {
        source: SourceIndex::new("", &settings.source),
        settings: BTreeMap::new(),
        diagnostics: Vec::new(),
        body: Vec::new(),
        changes: Vec::new(),
        has_regexes: false,
    };
    for assignment in &settings.assignments {
        if !assignment.name.starts_with("CORS_") {
            continue;
        }
        if let Some(previous) = importer
            .settings
            .insert(assignment.name.as_str(), assignment)
        {
            let first = importer.line_of(&previous.name_span);
            importer.warn(
                Code::ImportIgnored,
                &assignment.name_span,
                format!(
                    "{} is assigned again (first at line {first}); the last assignment is used, as in Python",
                    assignment.name
                ),
            );
        }
    }
    for nested in &settings.nested {
        if nested.name.starts_with("CORS_") {
            let line = importer.line_of(&nested.name_span);
            importer.error(
                Code::ImportNotLiteral,
                &nested.name_span,
                format!(
                    "cannot import {}: assigned inside an indented block (`if`, `def`, `try`, ...); only top-level assignments are read, move it out or translate it by hand",
                    nested.name
                ),
            );
            importer.note(&format!(
                "NOT IMPORTED: {} (line {line}) is assigned inside an indented block; translate it by hand",
                nested.name
            ));
        }
    }
    importer.unknown_settings();
    let name = if is_policy_name(stem) { stem } else { "django" };
    let mut policy = importer.translate(name);
    let mut checked = importer.self_check(&policy);
    let mut sorted = importer.diagnostics;
    if settings.source.is_empty() {
        // Values from the framework itself: there are no lines to cite.
        const NO_LINE: &str = " (line 1)";
        policy = policy.replace(NO_LINE, "");
        checked = crate::check(&policy).diagnostics;
        for d in &mut sorted {
            d.message = d.message.replace(NO_LINE, "");
        }
    }
    sorted.sort_by_key(|d| d.span.start);
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(sorted);
    Import {
        policy,
        diagnostics,
        checked,
    }
}

impl<'a> Importer<'a> {
    fn error(&mut self, code: Code, at: &Range<usize>, message: String) {
        self.diagnostics
            .push(Diagnostic::error(code, message, at.clone()));
    }

    fn warn(&mut self, code: Code, at: &Range<usize>, message: String) {
        self.diagnostics
            .push(Diagnostic::warning(code, message, at.clone()));
    }

    /// The line (from 1) where `span` starts in the settings' source.
    fn line_of(&self, span: &Range<usize>) -> usize {
        self.source.line_index(span.start) + 1
    }

    /// The setting `name` as assigned by `assignment`.
    fn setting(&self, name: &'a str, assignment: &'a Assignment) -> Setting<'a> {
        Setting {
            name,
            assignment,
            line: self.line_of(&assignment.name_span),
        }
    }

    fn line(&mut self, text: impl Into<String>) {
        self.body.push(format!("    {}", text.into()));
    }

    fn note(&mut self, text: &str) {
        let lines = comment("    ", "", "", text);
        self.body.extend(lines);
    }

    fn unknown_settings(&mut self) {
        let known = |name: &str| {
            SETTINGS
                .iter()
                .any(|(new, old)| *new == name || *old == Some(name))
        };
        let names: Vec<(&str, &Range<usize>)> = self
            .settings
            .iter()
            .map(|(name, a)| (*name, &a.name_span))
            .collect();
        for (name, at) in names {
            if known(name) {
                continue;
            }
            if let Some((_, why)) = NO_EQUIVALENT.iter().find(|(n, _)| *n == name) {
                self.warn(
                    Code::ImportIgnored,
                    at,
                    format!("{name} has no corsc equivalent: {why}; not imported"),
                );
            } else {
                self.warn(
                    Code::ImportIgnored,
                    at,
                    format!("{name} is not a django-cors-headers 4 setting; not imported"),
                );
            }
        }
    }

    /// The setting in effect, applying django's precedence between the
    /// current and the legacy name. `none_falls_back`: a current value of
    /// `None` means "not set" (the origin lists).
    fn get(&mut self, name: &'static str, none_falls_back: bool) -> Option<Setting<'a>> {
        let legacy = SETTINGS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, old)| *old);
        let new = self.settings.get(name).copied();
        let old = legacy.and_then(|old| self.settings.get(old).copied().map(|a| (old, a)));
        let new_is_none =
            matches!(new, Some(a) if matches!(a.value, Ok(Spanned { value: Value::None, .. })));
        match (new, old) {
            (Some(new), Some((old_name, old))) => {
                if none_falls_back && new_is_none {
                    let old_line = self.line_of(&old.name_span);
                    self.warn(
                        Code::ImportIgnored,
                        &new.name_span,
                        format!(
                            "{name} is None, so django uses the legacy {old_name} (line {old_line})"
                        ),
                    );
                    Some(self.setting(old_name, old))
                } else {
                    let new_line = self.line_of(&new.name_span);
                    self.warn(
                        Code::ImportIgnored,
                        &old.name_span,
                        format!(
                            "both {name} (line {new_line}) and the legacy {old_name} are set; django uses {name}, so {old_name} is not imported"
                        ),
                    );
                    Some(self.setting(name, new))
                }
            }
            (Some(new), None) => Some(self.setting(name, new)),
            (None, Some((old_name, old))) => Some(self.setting(old_name, old)),
            (None, None) => None,
        }
    }

    /// The value of a setting, or an error diagnostic when it is not a
    /// literal.
    fn value(&mut self, setting: &Setting<'a>) -> Option<&'a Spanned> {
        match &setting.assignment.value {
            Ok(value) => Some(value),
            Err(not) => {
                self.error(
                    Code::ImportNotLiteral,
                    &not.span,
                    format!(
                        "cannot import {}: not a literal ({}); write the value out, or translate it by hand",
                        setting.name, not.what
                    ),
                );
                self.note(&format!(
                    "NOT IMPORTED: {} (line {}) is not a literal ({})",
                    setting.name, setting.line, not.what
                ));
                None
            }
        }
    }

    /// A list of strings (compiled regexes too when `regexes`). A bare
    /// string is taken as a one-element list, with a warning.
    fn strings(&mut self, setting: &Setting<'a>, regexes: bool) -> Option<Vec<&'a Spanned>> {
        let value = self.value(setting)?;
        match &value.value {
            Value::Seq(_, items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        Value::Str(_) => out.push(item),
                        Value::Regex(..) if regexes => out.push(item),
                        other => {
                            self.error(
                                Code::ImportWrongType,
                                &item.span,
                                format!(
                                    "cannot import item {} of {}: {}, not a string",
                                    i + 1,
                                    setting.name,
                                    other.describe()
                                ),
                            );
                        }
                    }
                }
                Some(out)
            }
            Value::Str(text) => {
                let consequence = match setting.name {
                    "CORS_ALLOWED_ORIGINS" | "CORS_ORIGIN_WHITELIST" => {
                        "no real origin matched (django-cors-headers' system check reports corsheaders.E013 for each character), but a scheme-less origin such as `null` did"
                    }
                    "CORS_ALLOWED_ORIGIN_REGEXES" | "CORS_ORIGIN_REGEX_WHITELIST" => {
                        "each character was a regex matched at the start of the origin, so almost ANY origin was allowed"
                    }
                    _ => "each character was sent as a separate name, e.g. `G, E, T`",
                };
                let written = python_repr(text, value.raw);
                self.warn(
                    Code::ImportAdjusted,
                    &value.span,
                    format!(
                        "{} is a string, not a list: Python iterates it character by character; imported as the list [{written}]",
                        setting.name
                    ),
                );
                self.changes.push(format!(
                    "{} (line {}) is a bare string where a list was meant: django iterated it character by character ({consequence}); corsc uses it as the one-element list [{written}]. Write `[{written}]` in settings.py too.",
                    setting.name, setting.line
                ));
                Some(vec![value])
            }
            Value::Regex(..) if regexes => Some(vec![value]),
            Value::None => Some(Vec::new()),
            other => {
                self.error(
                    Code::ImportWrongType,
                    &value.span,
                    format!(
                        "cannot import {}: {}, expected a list of strings",
                        setting.name,
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// A boolean setting: `Some((value, where))`, with django's truthiness.
    fn flag(&mut self, name: &'static str) -> Option<(bool, Setting<'a>)> {
        let setting = self.get(name, false)?;
        let value = self.value(&setting)?;
        let truth = match &value.value {
            Value::Bool(b) => *b,
            Value::None => false,
            other => {
                let truth = match other {
                    Value::Int(n) => *n != 0,
                    Value::Str(s) => !s.is_empty(),
                    Value::Seq(_, items) => !items.is_empty(),
                    _ => true,
                };
                self.warn(
                    Code::ImportAdjusted,
                    &value.span,
                    format!(
                        "{name} is {}, not True or False; django tests its truth value, which is {}",
                        other.describe(),
                        if truth { "True" } else { "False" }
                    ),
                );
                truth
            }
        };
        Some((truth, setting))
    }

    fn translate(&mut self, name: &str) -> String {
        // Read first (the origins depend on them); their notes, if any, go
        // where their directives are written.
        // Notes about settings not read at all come first.
        let preamble = std::mem::take(&mut self.body);
        let credentials = self.flag("CORS_ALLOW_CREDENTIALS");
        let credentials_notes = std::mem::take(&mut self.body);
        let credentials_on = credentials.as_ref().is_some_and(|(on, _)| *on);
        let allow_all = self.flag("CORS_ALLOW_ALL_ORIGINS");
        let allow_all_notes = std::mem::take(&mut self.body);
        let origins = self.get("CORS_ALLOWED_ORIGINS", true);
        let regexes = self.get("CORS_ALLOWED_ORIGIN_REGEXES", true);

        self.body.extend(preamble);
        // paths
        self.urls_regex();
        self.body.extend(allow_all_notes);

        // origins
        let mut no_origins = false;
        match allow_all {
            Some((true, all)) => {
                let pos = &all.assignment.name_span;
                let ignored: Vec<String> = [&origins, &regexes]
                    .into_iter()
                    .flatten()
                    .map(|s| format!("{} (line {})", s.name, s.line))
                    .collect();
                if credentials_on {
                    let cred_line = credentials.as_ref().map_or(0, |(_, s)| s.line);
                    self.error(
                        Code::ImportUnsafe,
                        pos,
                        format!(
                            "refusing {} = True with CORS_ALLOW_CREDENTIALS = True (line {cred_line}): django reflected EVERY origin with credentials, so any website could read your users' authenticated responses; list the trusted origins in CORS_ALLOWED_ORIGINS, or set CORS_ALLOW_CREDENTIALS = False",
                            all.name
                        ),
                    );
                    self.note(&format!(
                        "REFUSED: {} = True (line {}) with CORS_ALLOW_CREDENTIALS = True: django reflected any origin with credentials (the classic CORS vulnerability). List the trusted origins here, or remove `credentials on`.",
                        all.name, all.line
                    ));
                    self.line("# origins *;");
                    self.changes.push(format!(
                        "{} = True with CORS_ALLOW_CREDENTIALS = True: django reflected any origin and allowed credentials; corsc refuses this (error CORS0041), so the policy has no `origins` until you list the trusted ones.",
                        all.name
                    ));
                } else {
                    self.note(&all.origin());
                    self.line("origins *;");
                }
                if !ignored.is_empty() {
                    self.warn(
                        Code::ImportIgnored,
                        pos,
                        format!(
                            "{} = True: django does not consult {}; they are kept as comments",
                            all.name,
                            ignored.join(" and ")
                        ),
                    );
                    self.note(&format!("ignored by django because {} is True:", all.name));
                    let saved = std::mem::take(&mut self.body);
                    let listed = self.origins(origins.as_ref(), regexes.as_ref(), credentials_on);
                    let translated = std::mem::replace(&mut self.body, saved);
                    if listed {
                        for line in translated {
                            if line.trim_start().starts_with('#') {
                                self.body.push(line);
                            } else {
                                self.body.push(format!("    # {}", line.trim_start()));
                            }
                        }
                    }
                }
            }
            _ => {
                if let Some((false, all)) = &allow_all {
                    self.note(&format!("{}: False", all.origin()));
                }
                let any = self.origins(origins.as_ref(), regexes.as_ref(), credentials_on);
                if !any && !self.has_origin_errors() {
                    no_origins = true;
                }
            }
        }

        self.methods();
        self.header_list("CORS_ALLOW_HEADERS", "allow-headers", Some(DEFAULT_HEADERS));
        self.header_list("CORS_EXPOSE_HEADERS", "expose-headers", None);
        self.body.extend(credentials_notes);
        match credentials {
            Some((on, setting)) => {
                self.note(&setting.origin());
                self.line(if on {
                    "credentials on;"
                } else {
                    "credentials off;"
                });
            }
            None if self.settings.contains_key("CORS_ALLOW_CREDENTIALS") => {}
            None => {
                self.note("django's default for CORS_ALLOW_CREDENTIALS (not set): False");
                self.line("credentials off;");
            }
        }
        self.max_age();
        match self.flag("CORS_ALLOW_PRIVATE_NETWORK") {
            Some((on, setting)) => {
                if on {
                    self.warn(
                        Code::ImportFlagged,
                        &setting.assignment.name_span,
                        format!("{} is true: imported as `private-network on;`, which `corsc check` warns about (CORS0075): Chrome replaced Private Network Access preflights with the Local Network Access permission prompt, so only old embedded browsers still send them", setting.name),
                    );
                }
                self.note(&setting.origin());
                self.line(if on {
                    "private-network on;"
                } else {
                    "private-network off;"
                });
            }
            None if self.settings.contains_key("CORS_ALLOW_PRIVATE_NETWORK") => {}
            None => {
                self.note("django's default for CORS_ALLOW_PRIVATE_NETWORK (not set): False");
                self.line("private-network off;");
            }
        }
        self.render(name, no_origins)
    }

    /// Runs the generated policy through `corsc check` and the compiler,
    /// the same rules `corsc check` and `corsc compile` apply. Every error
    /// becomes an import error located at the setting that produced the
    /// offending line (found from the `# from SETTING (line N)` comment
    /// above it), so an import with a policy corsc refuses is never
    /// complete, whatever the translation did. Returns check's
    /// diagnostics.
    fn self_check(&mut self, policy: &str) -> Diagnostics {
        let checked = crate::check(policy);
        let diagnostics = checked.diagnostics;
        for d in diagnostics.iter() {
            if !d.is_error() {
                continue;
            }
            let start = d.span.start.min(policy.len());
            let line = policy[..start].matches('\n').count() + 1;
            let (at, from) = self.producer(policy, line);
            self.error(
                Code::ImportRefusedByCheck,
                &at,
                format!(
                    "the generated policy is refused by `corsc check` at its line {line}{from}: error[{}]: {}",
                    d.code, d.message
                ),
            );
        }
        if let Some(model) = checked.model {
            if let Err(error) = crate::compile::compile(&model) {
                self.error(
                    Code::ImportRefusedByCheck,
                    &(0..0),
                    format!("the generated policy cannot be compiled: {error}"),
                );
            }
        }
        diagnostics
    }

    /// The setting whose translation produced line `line` (from 1) of the
    /// generated policy: where it was assigned, and ` (from NAME)` for
    /// messages. The importer writes `# from NAME (line N)` or `# django's
    /// default for NAME` above each directive it translates.
    fn producer(&self, policy: &str, line: usize) -> (Range<usize>, String) {
        let lines: Vec<&str> = policy.lines().take(line).collect();
        for text in lines.iter().rev() {
            let text = text.trim_start().trim_start_matches('#').trim_start();
            let name = text
                .strip_prefix("from ")
                .or_else(|| text.strip_prefix("django's default for "))
                .and_then(|rest| rest.split([' ', ':']).next());
            if let Some(name) = name.filter(|n| n.starts_with("CORS_")) {
                let at = self
                    .settings
                    .get(name)
                    .map_or(0..0, |a| a.name_span.clone());
                return (at, format!(" (from {name})"));
            }
        }
        (0..0, String::new())
    }

    fn has_origin_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Emits the `origins` directive from the lists; whether it listed any.
    /// Comments are interleaved with the arguments.
    fn origins(
        &mut self,
        origins: Option<&Setting<'a>>,
        regexes: Option<&Setting<'a>>,
        credentials: bool,
    ) -> bool {
        let first_line = self.body.len();
        if let Some(setting) = origins {
            if let Some(items) = self.strings(setting, false) {
                self.note(&setting.origin());
                if items.is_empty() {
                    self.note("(empty)");
                }
                for item in items {
                    if let Value::Str(text) = &item.value {
                        if let Some(arg) = self.origin(setting, &item.span, text, credentials) {
                            self.body.push(format!("{ARG}{arg}"));
                        }
                    }
                }
            }
        } else {
            self.note("django's default for CORS_ALLOWED_ORIGINS (not set): none");
        }
        if let Some(setting) = regexes {
            if let Some(items) = self.strings(setting, true) {
                self.note(&setting.origin());
                if items.is_empty() {
                    self.note("(empty)");
                }
                for item in items {
                    let (pattern, flags) = match &item.value {
                        Value::Str(text) => (text.as_str(), &[][..]),
                        Value::Regex(text, flags) => (text.as_str(), flags.as_slice()),
                        _ => continue,
                    };
                    if let Some(arg) = self.regex(setting, item, pattern, flags) {
                        self.body.push(format!("{ARG}{arg}"));
                    }
                }
            }
        }
        // Turn the argument markers into one directive.
        let count = self.body[first_line..]
            .iter()
            .filter(|l| l.starts_with(ARG))
            .count();
        let mut seen = 0;
        for line in &mut self.body[first_line..] {
            if let Some(arg) = line.strip_prefix(ARG) {
                let lead = if seen == 0 { "origins " } else { "        " };
                seen += 1;
                let end = if seen == count { ";" } else { "" };
                *line = format!("    {lead}{arg}{end}");
            } else if seen > 0 && seen < count {
                // A comment between two arguments: align it with them.
                *line = format!("        {line}");
            }
        }
        count > 0
    }

    fn origin(
        &mut self,
        setting: &Setting<'a>,
        pos: &Range<usize>,
        text: &str,
        credentials: bool,
    ) -> Option<String> {
        let list = setting.name;
        // django-cors-headers compares these two before `urlsplit`, byte
        // for byte (`origin in special_origin_values`).
        if text == "null" {
            if credentials {
                self.error(
                    Code::ImportUnsafe,
                    pos,
                    format!("`null` in {list} with CORS_ALLOW_CREDENTIALS = True: corsc refuses the `null` origin with credentials (sandboxed iframes and local files send it, so any site can); remove it or turn credentials off"),
                );
            } else {
                self.warn(
                    Code::ImportFlagged,
                    pos,
                    format!("`null` in {list}: sandboxed iframes and local files send `Origin: null`, so any site can; kept, as django allowed it"),
                );
            }
            return Some("null".to_string());
        }
        if text == "file://" {
            self.warn(
                Code::ImportIgnored,
                pos,
                format!("`file://` in {list} (a special value for Chrome on Android) has no corsc equivalent; not imported"),
            );
            self.note("file:// not imported: no corsc equivalent");
            return None;
        }
        let split = match urlsplit(text) {
            Ok(split) => split,
            Err(why) => {
                self.refuse(
                    pos,
                    list,
                    text,
                    &format!("Python's urlsplit() raises ValueError ({why}), so django-cors-headers' system check crashes and every request with an Origin fails"),
                );
                return None;
            }
        };
        if split.scheme.is_empty() || split.netloc.is_empty() {
            self.refuse(
                pos,
                list,
                text,
                "it has no scheme or no host (django-cors-headers' system check refuses it: corsheaders.E013 \"missing scheme or netloc\"); write it as scheme://host[:port]",
            );
            return None;
        }
        let netloc = split.netloc.as_str();
        if netloc.contains('*') {
            self.refuse(
                pos,
                list,
                text,
                "django compared the host literally, so `*` was never a wildcard and this never matched a browser's Origin; use CORS_ALLOWED_ORIGIN_REGEXES for a pattern",
            );
            return None;
        }
        if !netloc.is_ascii() {
            self.refuse(
                pos,
                list,
                text,
                "django compared the host byte for byte with the ASCII (punycode) form browsers send, so a non-ASCII host never matched; write the xn-- form",
            );
            return None;
        }
        let mut host = netloc.to_string();
        let mut fixes = Vec::new();
        if split.stripped {
            fixes.push(format!(
                "leading whitespace or control characters, or a tab or line break: Python's urlsplit() removes them, so django matched `{}://{netloc}`",
                split.scheme
            ));
        }
        if netloc.chars().any(|c| c.is_ascii_uppercase()) {
            host = netloc.to_ascii_lowercase();
            fixes.push(format!(
                "upper case: django compared the host case-sensitively, so {text:?} never matched the lower-case Origin browsers send; corsc lower-cases it and now allows it"
            ));
        }
        let default_port = match split.scheme.as_str() {
            "https" => Some(":443"),
            "http" => Some(":80"),
            _ => None,
        };
        if let Some(port) = default_port {
            if let Some(stripped) = host.strip_suffix(port) {
                host = stripped.to_string();
                fixes.push(format!(
                    "default port {port}: browsers omit it from Origin, so django never matched {text:?}; corsc drops it and now allows the origin"
                ));
            }
        }
        if !split.tail.is_empty() {
            fixes.push(format!(
                "path, query or fragment {:?}: django-cors-headers 4 refuses to start with it (system check corsheaders.E014; when checks are skipped it compared scheme and host only); corsc drops it (an Origin never has one)",
                split.tail
            ));
        }
        let fixed = format!("{}://{host}", split.scheme);
        // The same rules as `corsc check`, on this origin alone: whatever
        // corsc refuses (a space or `@` in the host, a bad port, ...) never
        // matched a browser's Origin in django either.
        let Some(arg) = argument(&fixed) else {
            self.refuse(pos, list, text, "it contains a control character, which no browser sends in an Origin, so django never matched it");
            return None;
        };
        let probe = format!("policy p {{ origins {arg}; }}\n");
        let checked = crate::check(&probe);
        if let Some(refused) = checked.diagnostics.iter().find(|d| d.is_error()) {
            self.refuse(
                pos,
                list,
                text,
                &format!(
                    "corsc refuses `{fixed}` ({}: {}), and no browser sends such an Origin, so django never matched it",
                    refused.code, refused.message
                ),
            );
            return None;
        }
        if !fixes.is_empty() {
            self.warn(
                Code::ImportAdjusted,
                pos,
                format!(
                    "{text:?} in {list} is imported as `{fixed}`: {}",
                    fixes.join("; ")
                ),
            );
            for fix in &fixes {
                self.changes
                    .push(format!("{list} {text:?} -> `{fixed}`: {fix}."));
            }
        }
        if credentials && split.scheme == "http" && !is_loopback(&host) {
            self.error(
                Code::ImportUnsafe,
                pos,
                format!("`{fixed}` in {list} with CORS_ALLOW_CREDENTIALS = True: corsc refuses non-loopback http:// origins with credentials (a network attacker can forge them); use https, or add `allow-insecure-origins on;` to the policy if you accept the risk"),
            );
        }
        Some(arg)
    }

    /// Reports a listed origin that is not imported (an error: exit 1),
    /// with a comment in the output.
    fn refuse(&mut self, pos: &Range<usize>, list: &str, text: &str, why: &str) {
        self.error(
            Code::ImportUntranslatable,
            pos,
            format!("cannot import {text:?} from {list}: {why}"),
        );
        self.note(&format!(
            "NOT IMPORTED: {text:?}: refused, see the diagnostics"
        ));
    }

    fn regex(
        &mut self,
        setting: &Setting<'a>,
        item: &Spanned,
        pattern: &str,
        flags: &[String],
    ) -> Option<String> {
        let list = setting.name;
        let pos = &item.span;
        let written = python_repr(pattern, item.raw);
        let translated = match translate_regex(pattern, flags) {
            Ok(t) => t,
            Err(why) => {
                self.error(
                    Code::ImportUntranslatable,
                    pos,
                    format!("cannot import the regex {written} from {list}: {why}"),
                );
                self.note(&format!("NOT IMPORTED: {written}: {why}"));
                return None;
            }
        };
        self.has_regexes = true;
        let written = if flags.is_empty() {
            written
        } else {
            let flags: Vec<String> = flags.iter().map(|f| format!("re.{f}")).collect();
            format!("{written}, {}", flags.join(" | "))
        };
        self.note(&format!("{written} ->"));
        for warning in &translated.warnings {
            self.warn(
                Code::ImportFlagged,
                pos,
                format!("regex {written} in {list}: {warning}"),
            );
        }
        if let Some(example) = &translated.unanchored_example {
            let msg = format!(
                "django matched {written} at the start of the origin only, so it also accepted any origin that merely STARTS with a match, e.g. {example:?}; corsc matches the whole origin"
            );
            self.warn(Code::ImportAdjusted, pos, format!("regex in {list}: {msg}"));
            self.note(&format!(
                "django also accepted any origin that merely STARTS with this, e.g. {example}"
            ));
            self.changes.push(format!("{list} {written}: {msg}."));
        }
        if translated.rewrote_word {
            self.changes.push(format!(
                "{list} {written}: `\\w` became `[a-z0-9_]` (browsers send lower-case ASCII origins, so nothing a browser sends is lost; corsc refuses regexes that can match upper case)."
            ));
        }
        Some(format!("~\"{}\"", translated.text))
    }

    fn urls_regex(&mut self) {
        let Some(setting) = self.get("CORS_URLS_REGEX", false) else {
            self.note("django's default for CORS_URLS_REGEX (not set): r\"^.*$\", every path");
            return;
        };
        let Some(value) = self.value(&setting) else {
            return;
        };
        let (pattern, flags) = match &value.value {
            Value::Str(s) => (s.as_str(), &[][..]),
            Value::Regex(s, flags) => (s.as_str(), flags.as_slice()),
            other => {
                self.error(
                    Code::ImportWrongType,
                    &value.span,
                    format!(
                        "cannot import CORS_URLS_REGEX: {}, expected a string",
                        other.describe()
                    ),
                );
                return;
            }
        };
        let written = python_repr(pattern, value.raw);
        match url_prefix(pattern) {
            Some(_) if flags.iter().any(|f| f == "I" || f == "IGNORECASE") => {
                self.error(
                    Code::ImportUntranslatable,
                    &value.span,
                    format!("cannot translate CORS_URLS_REGEX {written} with re.IGNORECASE to path prefixes (corsc compares paths case-sensitively); no `paths` directive is emitted, so CORS now applies to EVERY path"),
                );
                self.note(&format!("!!! CORS_URLS_REGEX {written} NOT TRANSLATED: this policy now covers EVERY path; add `paths` by hand"));
            }
            Some(None) => {
                self.note(&format!("{}: {written}, every path", setting.origin()));
            }
            Some(Some(prefix)) => {
                self.note(&format!("{}: {written}", setting.origin()));
                match argument(&prefix) {
                    Some(arg) => self.line(format!("paths {arg};")),
                    None => self.error(
                        Code::ImportUntranslatable,
                        &value.span,
                        "cannot write the path prefix".to_string(),
                    ),
                }
                if !prefix.ends_with('/') {
                    self.changes.push(format!(
                        "CORS_URLS_REGEX {written}: django enabled CORS on every path starting with {prefix:?} (also `{prefix}x`, `{prefix}-docs`); corsc's `paths {prefix}` covers `{prefix}` and `{prefix}/...` only (segment boundaries)."
                    ));
                }
                self.changes.push(format!(
                    "CORS_URLS_REGEX {written} was matched against request.path_info (without the script prefix); corsc's `paths` matches the request path as the server sees it: check the prefix if the app is mounted below `/`."
                ));
            }
            None => {
                self.error(
                    Code::ImportUntranslatable,
                    &value.span,
                    format!("cannot translate CORS_URLS_REGEX {written} to path prefixes (only `^/prefix/`, `^/prefix/.*$` and `^.*$` are translatable); no `paths` directive is emitted, so CORS now applies to EVERY path"),
                );
                self.note(&format!("!!! CORS_URLS_REGEX {written} NOT TRANSLATED: this policy now covers EVERY path; add `paths` by hand"));
            }
        }
    }

    fn methods(&mut self) {
        let items: Vec<(String, Range<usize>)> = match self.get("CORS_ALLOW_METHODS", false) {
            None => {
                self.note("django's default for CORS_ALLOW_METHODS (not set)");
                DEFAULT_METHODS
                    .iter()
                    .map(|s| (s.to_string(), 0..0))
                    .collect()
            }
            Some(setting) => {
                let Some(items) = self.strings(&setting, false) else {
                    return;
                };
                self.note(&setting.origin());
                let mut out = Vec::new();
                for item in items {
                    let Value::Str(method) = &item.value else {
                        continue;
                    };
                    let upper = method.to_ascii_uppercase();
                    if matches!(upper.as_str(), "CONNECT" | "TRACE" | "TRACK") {
                        self.warn(
                            Code::ImportIgnored,
                            &item.span,
                            format!("{method:?} in CORS_ALLOW_METHODS is a forbidden method (browsers never send it); not imported"),
                        );
                        continue;
                    }
                    if upper != *method
                        && matches!(
                            upper.as_str(),
                            "DELETE" | "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT"
                        )
                    {
                        self.warn(
                            Code::ImportAdjusted,
                            &item.span,
                            format!("{method:?} in CORS_ALLOW_METHODS is imported as `{upper}`: browsers upper-case this method, and corsc compares methods case-sensitively"),
                        );
                        out.push((upper, item.span.clone()));
                        continue;
                    }
                    out.push((method.clone(), item.span.clone()));
                }
                out
            }
        };
        self.list_directive("methods", &items);
    }

    fn header_list(&mut self, name: &'static str, directive: &str, default: Option<&[&str]>) {
        let items: Vec<(String, Range<usize>)> = match self.get(name, false) {
            None => match default {
                Some(default) => {
                    self.note(&format!("django's default for {name} (not set)"));
                    default.iter().map(|s| (s.to_string(), 0..0)).collect()
                }
                None => {
                    self.note(&format!("django's default for {name} (not set): none"));
                    return;
                }
            },
            Some(setting) => {
                let Some(items) = self.strings(&setting, false) else {
                    return;
                };
                self.note(&setting.origin());
                items
                    .iter()
                    .filter_map(|i| match &i.value {
                        Value::Str(s) => Some((s.clone(), i.span.clone())),
                        _ => None,
                    })
                    .collect()
            }
        };
        if items.is_empty() {
            self.note("(empty)");
            return;
        }
        self.list_directive(directive, &items);
    }

    fn list_directive(&mut self, directive: &str, items: &[(String, Range<usize>)]) {
        let mut args = Vec::new();
        for (item, pos) in items {
            match argument(item) {
                Some(arg) => args.push(arg),
                None => self.error(
                    Code::ImportUntranslatable,
                    pos,
                    format!("cannot import {item:?} into `{directive}`: it contains a control character"),
                ),
            }
        }
        if args.is_empty() {
            return;
        }
        self.line(format!("{directive} {};", args.join(" ")));
    }

    fn max_age(&mut self) {
        let Some(setting) = self.get("CORS_PREFLIGHT_MAX_AGE", false) else {
            self.note("django's default for CORS_PREFLIGHT_MAX_AGE (not set): 86400 s");
            self.line(format!("max-age {DEFAULT_MAX_AGE};"));
            return;
        };
        let Some(value) = self.value(&setting) else {
            return;
        };
        let seconds = match &value.value {
            Value::Int(n) => *n,
            Value::None | Value::Bool(false) => 0,
            other => {
                self.error(
                    Code::ImportWrongType,
                    &value.span,
                    format!(
                        "cannot import CORS_PREFLIGHT_MAX_AGE: {}, expected an integer",
                        other.describe()
                    ),
                );
                return;
            }
        };
        self.note(&setting.origin());
        if seconds == 0 {
            self.note("0: django sent no Access-Control-Max-Age; neither does corsc");
        } else if seconds < 0 {
            self.warn(
                Code::ImportIgnored,
                &value.span,
                format!("CORS_PREFLIGHT_MAX_AGE is {seconds}: django sent it as is, and browsers ignore it; not imported (no Access-Control-Max-Age)"),
            );
            self.note("negative: not imported");
        } else if seconds > DEFAULT_MAX_AGE {
            self.warn(
                Code::ImportAdjusted,
                &value.span,
                format!("CORS_PREFLIGHT_MAX_AGE {seconds} is above corsc's limit of 86400 s; imported as 86400 (browsers cap it at 7200 s or less anyway)"),
            );
            self.changes.push(format!(
                "CORS_PREFLIGHT_MAX_AGE {seconds} -> `max-age 86400`: corsc refuses more than a day; browsers already capped it (Chromium at 7200 s)."
            ));
            self.line("max-age 86400;");
        } else {
            self.line(format!("max-age {seconds};"));
        }
    }

    fn render(&self, name: &str, no_origins: bool) -> String {
        let mut out = String::new();
        out.push_str("# Imported from django-cors-headers settings by `corsc import django`.\n");
        out.push_str("# Review it, then run `corsc check` on this file.\n");
        if no_origins {
            out.push_str("#\n");
            out.extend(
                comment(
                    "",
                    "",
                    "",
                    "django allowed no origin (no CORS_ALLOWED_ORIGINS, CORS_ALLOWED_ORIGIN_REGEXES or CORS_ALLOW_ALL_ORIGINS), so it never answered CORS requests. Without a policy corsc does the same; the translation of the other settings is kept below as comments.",
                )
                .into_iter()
                .map(|l| l + "\n"),
            );
            out.push_str(&format!("# policy {name} {{\n"));
            for line in &self.body {
                out.push('#');
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("# }\n");
        } else {
            out.push_str(&format!("policy {name} {{\n"));
            for line in &self.body {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("}\n");
        }
        out.push_str("\n# Summary of behaviour changes\n#\n");
        if self.changes.is_empty() {
            out.push_str("# In this configuration: none beyond the differences below.\n");
        } else {
            out.push_str("# In this configuration:\n");
            for change in &self.changes {
                for line in comment("", "- ", "  ", change) {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
        out.push_str("#\n# Differences on purpose (every django import):\n");
        let mut always = vec![
            "Preflights: django answered every preflight on an enabled path with 200 and its lists, leaving the checks to the browser; corsc checks the requested method and headers itself and answers a denied preflight with 403 (and no CORS headers).",
            "Origins are compared byte for byte with what browsers send: django compared urlsplit() scheme and host, so `Origin: https://app.example.com/` (trailing slash, not a browser) matched; corsc does not match it.",
            "Upper case, trailing slashes, paths and default ports in listed origins are corrected (browsers never send them) or refused; `origins *` is refused with credentials.",
        ];
        if self.has_regexes {
            always.push("Regexes are matched against the whole origin (anchored at both ends); django used re.match, anchored at the start only.");
        }
        always.push("Python code the importer cannot see (signal handlers for corsheaders.signals.check_request_enabled, settings computed at run time) is not translated.");
        for text in always {
            for line in comment("", "- ", "  ", text) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }
}

/// What Python's `urllib.parse.urlsplit` (CPython 3.11) makes of a listed
/// origin: the parts django-cors-headers compares.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    /// The scheme, lower-cased as Python does; empty when there is none.
    scheme: String,
    /// The netloc (`host[:port]`, userinfo included), as written.
    netloc: String,
    /// Path, query and fragment, together.
    tail: String,
    /// Whether leading C0 controls or spaces, or a tab, CR or LF anywhere,
    /// were removed first.
    stripped: bool,
}

/// `urllib.parse.urlsplit(text)` as CPython 3.11 computes it: strip leading
/// C0 controls and spaces (only leading: trailing ones stay), delete every
/// tab, CR and LF, take a scheme before the first `:` when it is a letter
/// followed by letters, digits, `+`, `-`, `.`, then a netloc after `//` up
/// to the first `/`, `?` or `#`.
///
/// # Errors
///
/// The `ValueError` messages Python raises for brackets that are unbalanced
/// or have text before or after them. (Python also validates the address
/// inside the brackets; corsc's own check refuses any that is not canonical
/// IPv6, so that case ends in a refusal as well.)
fn urlsplit(text: &str) -> Result<Split, &'static str> {
    let trimmed = text.trim_start_matches(|c: char| c <= ' ');
    let url: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let stripped = url.len() != text.len();
    let mut scheme = String::new();
    let mut rest = url.as_str();
    if let Some(i) = url.find(':') {
        let candidate = &url[..i];
        if i > 0
            && candidate.as_bytes()[0].is_ascii_alphabetic()
            && candidate
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            scheme = candidate.to_ascii_lowercase();
            rest = &url[i + 1..];
        }
    }
    let mut netloc = "";
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = &after[..end];
        rest = &after[end..];
        if netloc.contains('[') != netloc.contains(']') {
            return Err("Invalid IPv6 URL");
        }
        let host_port = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
        if let Some((before, bracketed)) = host_port.split_once('[') {
            let port = bracketed.split_once(']').map_or("", |(_, p)| p);
            if !before.is_empty() || (!port.is_empty() && !port.starts_with(':')) {
                return Err("Invalid IPv6 URL");
            }
        }
    }
    Ok(Split {
        scheme,
        netloc: netloc.to_string(),
        tail: rest.to_string(),
        stripped,
    })
}

fn is_loopback(host: &str) -> bool {
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host,
    };
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// The pattern as it would be written in Python, for messages.
fn python_repr(pattern: &str, raw: bool) -> String {
    if raw && !pattern.contains('"') && !pattern.chars().any(char::is_control) {
        format!("r\"{pattern}\"")
    } else {
        format!("{pattern:?}")
    }
}

/// A django regex rewritten for corsc.
#[derive(Debug)]
struct Translated {
    /// The text between `~"` and `"`.
    text: String,
    /// When django's pattern was not anchored at the end: an origin django
    /// accepted that corsc does not.
    unanchored_example: Option<String>,
    /// Things corsc will refuse.
    warnings: Vec<String>,
    /// Whether `\w` was rewritten.
    rewrote_word: bool,
}

/// Rewrites a Python regex (`re.match` semantics) as a corsc origin regex
/// (whole-origin semantics), `^...$`.
fn translate_regex(pattern: &str, flags: &[String]) -> Result<Translated, String> {
    let mut prefix = String::new();
    for flag in flags {
        match flag.as_str() {
            "I" | "IGNORECASE" => prefix.push_str("(?i)"),
            // No effect on an origin: one line of ASCII.
            "A" | "ASCII" | "U" | "UNICODE" | "M" | "MULTILINE" | "S" | "DOTALL" => {}
            "X" | "VERBOSE" => {
                return Err(
                    "re.VERBOSE patterns are not translated; write the pattern without it"
                        .to_string(),
                )
            }
            other => return Err(format!("unknown flag re.{other}")),
        }
    }
    let mut warnings = Vec::new();
    // Python-only syntax, and `\w`.
    let mut body = String::new();
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    let mut rewrote_word = false;
    let mut lookaround = false;
    let mut backref = false;
    while let Some(c) = chars.next() {
        let at_class_start = class_start;
        class_start = false;
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    return Err("it ends with a lone backslash".to_string());
                };
                match next {
                    'Z' if !in_class => body.push('$'),
                    'A' if !in_class => body.push('^'),
                    'w' => {
                        rewrote_word = true;
                        body.push_str(if in_class { "a-z0-9_" } else { "[a-z0-9_]" });
                    }
                    '1'..='9' if !in_class => {
                        backref = true;
                        body.push('\\');
                        body.push(next);
                    }
                    _ => {
                        body.push('\\');
                        body.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                body.push('[');
                if chars.peek() == Some(&'^') {
                    body.push('^');
                    chars.next();
                    class_start = true;
                }
            }
            ']' if in_class && !at_class_start => {
                in_class = false;
                body.push(']');
            }
            '(' if !in_class => {
                body.push('(');
                if chars.peek() == Some(&'?') {
                    let rest: String = chars.clone().take(4).collect();
                    if rest.starts_with("?=")
                        || rest.starts_with("?!")
                        || rest.starts_with("?<=")
                        || rest.starts_with("?<!")
                    {
                        lookaround = true;
                    }
                    if rest.starts_with("?P=") {
                        backref = true;
                    }
                }
            }
            other => {
                // Set operations and POSIX classes: corsc's regex dialect
                // reads them inside a class, Python's `re` takes them as
                // literal characters; the two would match different origins.
                let pair: String = std::iter::once(other)
                    .chain(chars.peek().copied())
                    .collect();
                if in_class && matches!(pair.as_str(), "[:" | "&&" | "--" | "~~") {
                    return Err(format!(
                        "`{pair}` inside a character class means something else to corsc than to \
                         Python's re (a POSIX class or a set operation there, literal characters \
                         here); write the class out"
                    ));
                }
                body.push(other)
            }
        }
    }
    if lookaround {
        warnings.push("uses a lookaround, which corsc regexes do not support; corsc will refuse it, rewrite it without".to_string());
    }
    if backref {
        warnings.push("uses a backreference, which corsc regexes do not support; corsc will refuse it, rewrite it without".to_string());
    }
    if body.contains('"') || body.chars().any(char::is_control) {
        return Err(
            "it contains a `\"` or a control character, which a corsc regex cannot hold"
                .to_string(),
        );
    }
    // End anchoring, decided on the whole pattern.
    let parse = |text: &str| {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(text)
            .map_err(|error| {
                error
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("syntax error")
                    .trim()
                    .to_string()
            })
    };
    let end_anchored = match parse(&format!("{prefix}{body}")) {
        Ok(hir) => {
            let suffix = hir.properties().look_set_suffix();
            suffix.contains(Look::End) || suffix.contains(Look::EndLF)
        }
        Err(error) => {
            if !lookaround && !backref {
                warnings.push(format!(
                    "the Rust regex syntax cannot parse it ({error}); corsc will refuse it"
                ));
            }
            ends_with_anchor(&body)
        }
    };
    // Strip the anchors at the very ends; corsc anchors both.
    let mut core = body.as_str();
    let mut inline_flags = String::new();
    if core.starts_with("(?") {
        // A leading inline flag group `(?i)`: keep it in front.
        if let Some(end) = core.find(')') {
            let group = &core[..=end];
            if group[2..group.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphabetic())
            {
                inline_flags = group.to_string();
                core = &core[end + 1..];
            }
        }
    }
    // Each top-level branch loses its own `^` and `$`.
    let branches: Vec<&str> = split_top_level(core)
        .into_iter()
        .map(|branch| {
            let branch = branch.strip_prefix('^').unwrap_or(branch);
            if ends_with_anchor(branch) {
                &branch[..branch.len() - 1]
            } else {
                branch
            }
        })
        .collect();
    let core = if branches.len() > 1 {
        format!("(?:{})", branches.join("|"))
    } else {
        branches.concat()
    };
    let case_insensitive = !prefix.is_empty() || inline_flags.contains('i');
    if case_insensitive {
        warnings.push("is case-insensitive (re.IGNORECASE or `(?i)`), so it also matches upper case, which browsers never send; corsc will refuse it: drop the flag and write the pattern in lower case".to_string());
    }
    let unanchored_example = if end_anchored {
        None
    } else {
        let sample = parse(&format!("{prefix}{body}"))
            .ok()
            .map(|hir| {
                let mut out = String::new();
                sample(&hir, &mut out, 0);
                out
            })
            .unwrap_or_default();
        Some(format!("{sample}.evil.net"))
    };
    Ok(Translated {
        text: format!("{prefix}{inline_flags}^{core}$"),
        unanchored_example,
        warnings,
        rewrote_word,
    })
}

/// Whether `text` ends with an unescaped `$`.
fn ends_with_anchor(text: &str) -> bool {
    let Some(before) = text.strip_suffix('$') else {
        return false;
    };
    before.chars().rev().take_while(|c| *c == '\\').count() % 2 == 0
}

/// `text` split at its top-level `|` (outside groups and classes).
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut in_class = false;
    // Just after `[` or `[^`, where `]` is a literal.
    let mut class_start = false;
    let mut escaped = false;
    let mut from = 0;
    for (i, c) in text.char_indices() {
        let at_class_start = std::mem::take(&mut class_start);
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => {
                in_class = true;
                class_start = true;
            }
            '^' if at_class_start => class_start = true,
            ']' if in_class && !at_class_start => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth = depth.saturating_sub(1),
            '|' if !in_class && depth == 0 => {
                parts.push(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts
}

/// Appends one string the regex matches (the shortest choices, lower case
/// preferred) to `out`.
fn sample(hir: &Hir, out: &mut String, depth: usize) {
    if depth > 100 || out.len() > 200 {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let chars = class.ranges().iter().flat_map(|r| r.start()..=r.end());
            let lower = class
                .ranges()
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .find(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if let Some(c) = lower.or_else(|| chars.clone().next()) {
                out.push(c);
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let lower = class
                .ranges()
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .find(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if let Some(b) = lower.or_else(|| class.ranges().first().map(|r| r.start())) {
                out.push(char::from(b));
            }
        }
        HirKind::Repetition(rep) => {
            for _ in 0..rep.min.min(20) {
                sample(&rep.sub, out, depth + 1);
            }
        }
        HirKind::Capture(capture) => sample(&capture.sub, out, depth + 1),
        HirKind::Concat(items) => {
            for item in items {
                sample(item, out, depth + 1);
            }
        }
        HirKind::Alternation(items) => {
            // Prefer a branch that is not anchored at the end: the one that
            // shows what django also accepted.
            let open = items.iter().find(|item| {
                let suffix = item.properties().look_set_suffix();
                !suffix.contains(Look::End) && !suffix.contains(Look::EndLF)
            });
            if let Some(item) = open.or(items.first()) {
                sample(item, out, depth + 1);
            }
        }
    }
}

/// The path prefix a `CORS_URLS_REGEX` stands for: `Some(None)` for every
/// path, `Some(Some(prefix))`, or `None` when it is not a prefix regex.
fn url_prefix(pattern: &str) -> Option<Option<String>> {
    let mut rest = pattern;
    if let Some(r) = rest.strip_prefix('^').or_else(|| rest.strip_prefix("\\A")) {
        rest = r;
    }
    let mut prefix = String::new();
    let mut chars = rest.char_indices().peekable();
    let mut tail = "";
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, next) = chars.next()?;
                if next.is_ascii_alphanumeric() {
                    return None;
                }
                prefix.push(next);
            }
            c if c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '~' | '%') => {
                prefix.push(c);
            }
            _ => {
                tail = &rest[i..];
                break;
            }
        }
    }
    if !matches!(tail, "" | ".*" | ".*$" | ".*\\Z") {
        return None;
    }
    if prefix.is_empty() || prefix == "/" {
        return Some(None);
    }
    if !prefix.starts_with('/') {
        return None;
    }
    Some(Some(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values a host hands without a source file: empty `source`, `0..0`
    /// spans. Every place renders as line 1, column 1, and no message or
    /// comment cites a line.
    #[test]
    fn values_without_a_source() {
        use crate::import::settings::SeqKind;
        let value = |value| Spanned {
            value,
            span: 0..0,
            raw: false,
        };
        let assign = |name: &str, v| Assignment {
            name: name.to_string(),
            name_span: 0..0,
            value: Ok(value(v)),
        };
        let origins = vec![value(Value::Str("https://a.test".to_string()))];
        let settings = Settings {
            source: String::new(),
            assignments: vec![
                assign("CORS_ALLOWED_ORIGINS", Value::Seq(SeqKind::List, origins)),
                assign("CORS_ORIGIN_WHITELIST", Value::Seq(SeqKind::List, vec![])),
                assign("CORS_MAX_AGE", Value::Int(1)),
            ],
            nested: Vec::new(),
        };
        let import = translate(&settings, "host");
        assert!(import.is_complete());
        assert!(import.policy.contains("# from CORS_ALLOWED_ORIGINS\n"));
        assert!(!import.policy.contains("(line"));
        let codes: Vec<Code> = import.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::ImportIgnored, Code::ImportIgnored]);
        assert_eq!(
            import.render_diagnostics("django", ""),
            "django:1:1: warning: CORS_MAX_AGE is not a django-cors-headers 4 setting; not imported\n\
             django:1:1: warning: both CORS_ALLOWED_ORIGINS and the legacy CORS_ORIGIN_WHITELIST are set; django uses CORS_ALLOWED_ORIGINS, so CORS_ORIGIN_WHITELIST is not imported\n"
        );
    }

    /// `[[:digit:]]` or `[a-z&&[^x]]` are classes to corsc and literal
    /// characters to Python's `re`: refused rather than widened.
    #[test]
    fn class_syntax_python_reads_literally_is_refused() {
        for pattern in [
            r"^https://a[[:digit:]]\.example\.com$",
            r"^https://[a-z&&[^x]]+\.example\.com$",
            r"^https://[a--b]\.example\.com$",
        ] {
            let error = translate_regex(pattern, &[]).expect_err(pattern);
            assert!(error.contains("inside a character class"), "{error}");
        }
        assert!(translate_regex(r"^https://[a-z-]+\.example\.com$", &[]).is_ok());
    }

    #[test]
    fn urlsplit_is_cpython_3_11s() {
        let split = |t| urlsplit(t).map(|s| (s.scheme, s.netloc, s.tail, s.stripped));
        let ok = |a: &str, b: &str, c: &str, d| Ok((a.into(), b.into(), c.into(), d));
        assert_eq!(
            split(" \u{1}https://b.test"),
            ok("https", "b.test", "", true)
        );
        assert_eq!(split("https://b.test "), ok("https", "b.test ", "", false));
        assert_eq!(
            split("ht\ttps://b.\ntest/x"),
            ok("https", "b.test", "/x", true)
        );
        assert_eq!(
            split("HTTPS://B.test?q"),
            ok("https", "B.test", "?q", false)
        );
        assert_eq!(split("https://"), ok("https", "", "", false));
        assert_eq!(split("b.test:80"), ok("b.test", "", "80", false));
        assert_eq!(split("1a://x"), ok("", "", "1a://x", false));
        assert_eq!(split("//x"), ok("", "x", "", false));
        assert_eq!(split("https://[::1]:8"), ok("https", "[::1]:8", "", false));
        assert!(split("https://[::1").is_err());
        assert!(split("https://a[::1]").is_err());
        assert!(split("https://[::1]x").is_err());
    }

    #[test]
    fn url_prefixes() {
        assert_eq!(url_prefix("^.*$"), Some(None));
        assert_eq!(url_prefix(".*"), Some(None));
        assert_eq!(url_prefix("^/api/.*$"), Some(Some("/api/".into())));
        assert_eq!(url_prefix("^/api/"), Some(Some("/api/".into())));
        assert_eq!(url_prefix("^/api"), Some(Some("/api".into())));
        assert_eq!(url_prefix(r"^/api\-v2/.*"), Some(Some("/api-v2/".into())));
        assert_eq!(url_prefix(r"^/api/v[12]/.*$"), None);
        assert_eq!(url_prefix(r"^/api/$"), None);
        assert_eq!(url_prefix(r"^api/"), None);
        assert_eq!(url_prefix(r"^/(api|v2)/"), None);
    }

    #[test]
    fn regexes() {
        let t = translate_regex(r"^https://\w+\.example\.com$", &[]).unwrap();
        assert_eq!(t.text, r"^https://[a-z0-9_]+\.example\.com$");
        assert!(t.unanchored_example.is_none());
        let t = translate_regex(r"^https://app\.example\.com", &[]).unwrap();
        assert_eq!(t.text, r"^https://app\.example\.com$");
        assert_eq!(
            t.unanchored_example.as_deref(),
            Some("https://app.example.com.evil.net")
        );
        let t = translate_regex(r"https://a\.com$|https://b\.com\Z", &["I".into()]).unwrap();
        assert_eq!(t.text, r"(?i)^(?:https://a\.com|https://b\.com)$");
        assert_eq!(t.warnings.len(), 1);
        assert_eq!(
            split_top_level(r"a[|\]]|(b|c)|\|d|[^]|]"),
            [r"a[|\]]", "(b|c)", r"\|d", "[^]|]"]
        );
        assert!(t.unanchored_example.is_none());
        let t = translate_regex(r"^https://a\.com$|^https://b\.com", &[]).unwrap();
        assert_eq!(
            t.unanchored_example.as_deref(),
            Some("https://b.com.evil.net")
        );
        let t = translate_regex(r"^https://(?!x)\w+\.com$", &[]).unwrap();
        assert_eq!(t.warnings.len(), 1);
        assert!(translate_regex("a\"b", &[]).is_err());
        assert!(translate_regex("x", &["VERBOSE".into()]).is_err());
    }
}
