//! The builder mirroring tower-http's `CorsLayer` methods, which writes
//! `.corspolicy` source.
//!
//! The argument types have tower-http's names and conversions
//! (`AllowOrigin::list`, `Any`, `HeaderValue`, `[Method; N]`,
//! `Duration`...), so that moving from tower-http is a change of import
//! plus [`CorsBuilder::build`]. What a static policy cannot express
//! (predicates, `mirror_request`, a dynamic max-age) has no counterpart.

use std::fmt::Write as _;
use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};

use crate::{CorsLayer, Error};

/// The wildcard, as tower-http's `Any`: `allow_origin(Any)` writes `origins
/// *`, `allow_headers(Any)` `allow-headers *`, and so on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Any;

/// [`Any`], as tower-http's `any()`.
pub fn any() -> Any {
    Any
}

/// A list of arguments, or `*`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum List {
    /// The directive is not written.
    #[default]
    Unset,
    /// `*`
    Any,
    /// Each item, quoted.
    Items(Vec<String>),
}

impl List {
    fn items<T>(items: impl IntoIterator<Item = T>, text: impl Fn(&T) -> String) -> List {
        List::Items(items.into_iter().map(|item| text(&item)).collect())
    }

    fn write(&self, source: &mut String, directive: &str) {
        match self {
            List::Unset => {}
            List::Items(items) if items.is_empty() => {}
            List::Any => {
                let _ = writeln!(source, "    {directive} *;");
            }
            List::Items(items) => {
                let _ = write!(source, "    {directive}");
                for item in items {
                    source.push(' ');
                    quote(source, item);
                }
                source.push_str(";\n");
            }
        }
    }
}

/// Writes `text` as a `.corspolicy` quoted string: nothing in a value can
/// end the directive or the policy.
fn quote(source: &mut String, text: &str) {
    source.push('"');
    for c in text.chars() {
        match c {
            '"' => source.push_str("\\\""),
            '\\' => source.push_str("\\\\"),
            '\n' => source.push_str("\\n"),
            '\t' => source.push_str("\\t"),
            c => source.push(c),
        }
    }
    source.push('"');
}

fn value_text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

macro_rules! list_type {
    ($(#[$doc:meta])* $name:ident, $item:ty, $text:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $name(List);

        impl $name {
            /// `*`: any (see the directive's rules for what `*` covers,
            /// and what it cannot be combined with).
            pub fn any() -> Self {
                $name(List::Any)
            }

            /// These items.
            pub fn list<I>(items: I) -> Self
            where
                I: IntoIterator<Item = $item>,
            {
                $name(List::items(items, $text))
            }
        }

        impl From<Any> for $name {
            fn from(_: Any) -> Self {
                $name::any()
            }
        }

        impl<const N: usize> From<[$item; N]> for $name {
            fn from(items: [$item; N]) -> Self {
                $name::list(items)
            }
        }

        impl From<Vec<$item>> for $name {
            fn from(items: Vec<$item>) -> Self {
                $name::list(items)
            }
        }
    };
}

list_type!(
    /// The allowed origins (`origins`), as tower-http's `AllowOrigin`:
    /// [`Any`], a `HeaderValue`, an array or `Vec` of them. Origins are
    /// checked as in any policy (no path, no default port, `*` not with
    /// credentials...), and may use corsc's patterns
    /// (`https://*.example.com`, `http://localhost:*`).
    AllowOrigin,
    HeaderValue,
    value_text
);

impl AllowOrigin {
    /// One origin.
    pub fn exact(origin: HeaderValue) -> Self {
        AllowOrigin::list([origin])
    }
}

impl From<HeaderValue> for AllowOrigin {
    fn from(origin: HeaderValue) -> Self {
        AllowOrigin::exact(origin)
    }
}

list_type!(
    /// The allowed methods (`methods`), as tower-http's `AllowMethods`:
    /// [`Any`], a `Method`, an array or `Vec` of them. corsc refuses
    /// `methods *` (CORS0054): list the methods.
    AllowMethods,
    Method,
    |method: &Method| method.as_str().to_owned()
);

impl AllowMethods {
    /// One method.
    pub fn exact(method: Method) -> Self {
        AllowMethods::list([method])
    }
}

impl From<Method> for AllowMethods {
    fn from(method: Method) -> Self {
        AllowMethods::exact(method)
    }
}

list_type!(
    /// The allowed request headers (`allow-headers`), as tower-http's
    /// `AllowHeaders`: [`Any`], an array or `Vec` of `HeaderName`s.
    AllowHeaders,
    HeaderName,
    |name: &HeaderName| name.as_str().to_owned()
);

list_type!(
    /// The exposed response headers (`expose-headers`), as tower-http's
    /// `ExposeHeaders`: [`Any`], an array or `Vec` of `HeaderName`s.
    ExposeHeaders,
    HeaderName,
    |name: &HeaderName| name.as_str().to_owned()
);

/// `max-age`, as tower-http's `MaxAge`: a `Duration`, in whole seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaxAge(Option<Duration>);

impl MaxAge {
    /// This duration (whole seconds; at most 86400, as corsc checks).
    pub fn exact(max_age: Duration) -> Self {
        MaxAge(Some(max_age))
    }
}

impl From<Duration> for MaxAge {
    fn from(max_age: Duration) -> Self {
        MaxAge::exact(max_age)
    }
}

/// `credentials on`, as tower-http's `AllowCredentials`: `true`/`false` or
/// [`AllowCredentials::yes`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllowCredentials(bool);

impl AllowCredentials {
    /// `credentials on`.
    pub fn yes() -> Self {
        AllowCredentials(true)
    }
}

impl From<bool> for AllowCredentials {
    fn from(on: bool) -> Self {
        AllowCredentials(on)
    }
}

/// `private-network on`, as tower-http's `AllowPrivateNetwork`:
/// `true`/`false` or [`AllowPrivateNetwork::yes`] (corsc warns, CORS0075:
/// only old embedded browsers still send these preflights).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllowPrivateNetwork(bool);

impl AllowPrivateNetwork {
    /// `private-network on`.
    pub fn yes() -> Self {
        AllowPrivateNetwork(true)
    }
}

impl From<bool> for AllowPrivateNetwork {
    fn from(on: bool) -> Self {
        AllowPrivateNetwork(on)
    }
}

/// Builds a [`CorsLayer`] with tower-http's method names; made by
/// [`CorsLayer::new`]. [`build`](CorsBuilder::build) writes one policy
/// covering every path and compiles it, so the configuration gets corsc's
/// checks: `allow_origin(Any)` with `allow_credentials(true)` is an
/// [`Error`] carrying diagnostic CORS0041, where tower-http panics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsBuilder {
    origins: AllowOrigin,
    methods: AllowMethods,
    allow_headers: AllowHeaders,
    expose_headers: ExposeHeaders,
    max_age: MaxAge,
    credentials: AllowCredentials,
    private_network: AllowPrivateNetwork,
}

impl CorsBuilder {
    /// `origins`: the origins allowed (replaces any set before).
    pub fn allow_origin<T: Into<AllowOrigin>>(mut self, origin: T) -> Self {
        self.origins = origin.into();
        self
    }

    /// `methods`: the methods allowed besides GET, HEAD and POST, which
    /// are always allowed.
    pub fn allow_methods<T: Into<AllowMethods>>(mut self, methods: T) -> Self {
        self.methods = methods.into();
        self
    }

    /// `allow-headers`: the request headers allowed besides the
    /// safelisted ones.
    pub fn allow_headers<T: Into<AllowHeaders>>(mut self, headers: T) -> Self {
        self.allow_headers = headers.into();
        self
    }

    /// `expose-headers`: the response headers a page may read.
    pub fn expose_headers<T: Into<ExposeHeaders>>(mut self, headers: T) -> Self {
        self.expose_headers = headers.into();
        self
    }

    /// `credentials on` (or off).
    pub fn allow_credentials<T: Into<AllowCredentials>>(mut self, credentials: T) -> Self {
        self.credentials = credentials.into();
        self
    }

    /// `max-age`, in whole seconds.
    pub fn max_age<T: Into<MaxAge>>(mut self, max_age: T) -> Self {
        self.max_age = max_age.into();
        self
    }

    /// `private-network on` (or off).
    pub fn allow_private_network<T: Into<AllowPrivateNetwork>>(mut self, on: T) -> Self {
        self.private_network = on.into();
        self
    }

    /// The `.corspolicy` source this configuration is: one policy, `tower`,
    /// covering every path. Save it to a file to check it with `corsc
    /// check`, or ask `corsc explain` about a request.
    pub fn to_source(&self) -> String {
        let mut source = String::from("policy tower {\n");
        self.origins.0.write(&mut source, "origins");
        self.methods.0.write(&mut source, "methods");
        self.allow_headers.0.write(&mut source, "allow-headers");
        self.expose_headers.0.write(&mut source, "expose-headers");
        if self.credentials.0 {
            source.push_str("    credentials on;\n");
        }
        if let Some(max_age) = self.max_age.0 {
            let _ = writeln!(source, "    max-age {};", max_age.as_secs());
        }
        if self.private_network.0 {
            source.push_str("    private-network on;\n");
        }
        source.push_str("}\n");
        source
    }

    /// Compiles [`to_source`](CorsBuilder::to_source) into a layer.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) with corsc's
    /// rendered diagnostics (on the generated source) when the
    /// configuration is refused: no origin, `*` with credentials, a
    /// malformed origin...
    pub fn build(&self) -> Result<CorsLayer, Error> {
        CorsLayer::compile(&self.to_source(), "<CorsLayer::new()>")
    }
}
