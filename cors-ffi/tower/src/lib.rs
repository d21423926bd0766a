//! corsc for tower: a [`Layer`](tower_layer::Layer) and
//! [`Service`](tower_service::Service) that answer CORS from a compiled
//! `.corspolicy`, in place of tower-http's `CorsLayer`.
//!
//! ```no_run
//! # fn main() -> Result<(), corsc_tower::Error> {
//! let cors = corsc_tower::CorsLayer::from_file("api.corspolicy")?;
//! // axum: Router::new().route(...).layer(cors)
//! # Ok(()) }
//! ```
//!
//! - **Preflights** (`OPTIONS` with `Access-Control-Request-Method`) are
//!   answered by the layer with the outcome's status (`204` by default,
//!   `403` when denied), its headers and an empty body; the inner service
//!   never sees one. Every other request goes to the inner service.
//! - **The layer owns the CORS response headers.** On every response of the
//!   inner service, error statuses included, every `Access-Control-Allow-*`,
//!   `Access-Control-Expose-Headers` and `Access-Control-Max-Age` header it
//!   set is removed and the outcome's are added.
//! - **`Vary`** is merged with the inner service's into one line
//!   (`Accept-Encoding` becomes `Accept-Encoding, Origin`); a name already
//!   there is not repeated; `Vary: *` is left alone.
//! - The request's path is `uri().path()`, as received (percent-encoded, no
//!   query); repeated lines of a request header are joined with `,`, so a
//!   repeated `Origin` is malformed and denied.
//! - The compiled table is shared by every clone of the layer and of its
//!   services (one [`Arc`]); a request allocates nothing beyond what `http`
//!   needs to insert the response headers (and a merged `Vary`, or joined
//!   repeated request headers, when there are some), and a preflight's
//!   answer reuses the request's header map. No header value is checked or
//!   copied per request: the table's are built with the layer.
//!
//! Build a layer from a policy file or source ([`CorsLayer::from_file`],
//! [`CorsLayer::from_source`]), from a table compiled by `corsc compile`
//! ([`CorsLayer::from_table`]), or with the builder that mirrors
//! tower-http's methods ([`CorsLayer::new`]), which writes `.corspolicy`
//! source checked like any other: a mistake is an [`Error`] with corsc's
//! diagnostics, never a panic.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod builder;
mod error;
mod headers;
mod service;

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use cors_match_core::Table;

pub use builder::{
    any, AllowCredentials, AllowHeaders, AllowMethods, AllowOrigin, AllowPrivateNetwork, Any,
    CorsBuilder, ExposeHeaders, MaxAge,
};
pub use cors_match_core::{Decision, Outcome, Reason};
pub use error::{Error, ErrorKind};
pub use service::{Cors, ResponseFuture};

/// The name diagnostics give source that came from no file.
const SOURCE_NAME: &str = "<source>";

/// A compiled, validated table and the bytes it borrows.
pub(crate) struct Shared {
    /// Borrows `bytes`' buffer, which never moves and outlives it (see
    /// [`Shared::new`]); only ever handed out as `Table<'_>` of `&self`.
    table: Table<'static>,
    /// The table bytes, immutable; outcome values are zero-copy slices of it.
    bytes: Bytes,
    /// The table's header values, built once for every request.
    rendered: headers::Rendered,
    /// Rendered warnings from compiling the source, if any.
    warnings: Option<String>,
}

impl Shared {
    fn new(table: Vec<u8>, warnings: Option<String>) -> Result<Shared, Error> {
        let bytes = Bytes::from(table);
        // Promote the buffer to shared storage now, so that the slices taken
        // per request are reference-count increments, never an allocation.
        drop(bytes.clone());
        let view: &[u8] = &bytes;
        // SAFETY: `Bytes` never moves, changes or frees its buffer while a
        // handle to it lives; `bytes` is stored beside `table` in this
        // `Shared` and dropped with it, and `table` is only ever lent out
        // with the lifetime of a borrow of `self`.
        let view: &'static [u8] = unsafe { &*(view as *const [u8]) };
        let table = Table::from_bytes(view).map_err(Error::table)?;
        let rendered = headers::Rendered::new(&bytes);
        Ok(Shared {
            table,
            bytes,
            rendered,
            warnings,
        })
    }

    /// The table, borrowed for as long as `self` is.
    #[inline]
    pub(crate) fn table(&self) -> Table<'_> {
        self.table
    }

    /// The table bytes, for zero-copy header values.
    #[inline]
    pub(crate) fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The table's header values, as `http` values.
    #[inline]
    pub(crate) fn rendered(&self) -> &headers::Rendered {
        &self.rendered
    }
}

/// Applies a compiled corsc policy to a service: a [`tower_layer::Layer`]
/// producing [`Cors`] services.
///
/// Cheap to clone: every clone, and every service it wraps, shares one
/// table.
#[derive(Clone)]
pub struct CorsLayer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for CorsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsLayer")
            .field("table_bytes", &self.shared.bytes.len())
            .field("warnings", &self.shared.warnings.is_some())
            .finish()
    }
}

impl CorsLayer {
    /// A builder mirroring tower-http's `CorsLayer::new()`: set
    /// `allow_origin`, `allow_methods`... then [`CorsBuilder::build`]. Like
    /// tower-http's, the builder allows nothing until told to.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> CorsBuilder {
        CorsBuilder::default()
    }

    /// Reads a policy file: `.corspolicy` source (compiled in-process, with
    /// the `compile` feature), or a table compiled by `corsc compile`
    /// (recognized by its magic bytes).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] if the file cannot be read; otherwise as
    /// [`CorsLayer::from_source`] or [`CorsLayer::from_table`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<CorsLayer, Error> {
        let path = path.as_ref();
        let bytes = read_limited(path)?;
        if bytes.starts_with(&cors_match_core::format::MAGIC) {
            return CorsLayer::from_table(bytes);
        }
        let source = String::from_utf8(bytes).map_err(|_| Error::not_utf8(path))?;
        CorsLayer::compile(&source, &path.display().to_string())
    }

    /// Compiles `.corspolicy` source.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] with corsc's rendered diagnostics when the
    /// source has errors (the same text `corsc check` prints);
    /// [`ErrorKind::NoCompiler`] without the `compile` feature.
    pub fn from_source(source: &str) -> Result<CorsLayer, Error> {
        CorsLayer::compile(source, SOURCE_NAME)
    }

    /// Loads a table compiled by `corsc compile` (the bytes are taken, not
    /// copied again).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Table`] saying why the table was rejected (truncated,
    /// not a table, another format version, corrupted...).
    pub fn from_table(table: impl Into<Vec<u8>>) -> Result<CorsLayer, Error> {
        Ok(CorsLayer {
            shared: Arc::new(Shared::new(table.into(), None)?),
        })
    }

    #[cfg(feature = "compile")]
    fn compile(source: &str, name: &str) -> Result<CorsLayer, Error> {
        use cors_policy_lang::{CompileFailure, RenderStyle};
        match cors_policy_lang::compile(source) {
            Ok(compiled) => {
                let warnings = (compiled.diagnostics.warning_count() > 0)
                    .then(|| compiled.diagnostics.render(name, source, RenderStyle::Rich));
                Ok(CorsLayer {
                    shared: Arc::new(Shared::new(compiled.table, warnings)?),
                })
            }
            Err(CompileFailure::Invalid(diagnostics)) => Err(Error::invalid(diagnostics.render(
                name,
                source,
                RenderStyle::Rich,
            ))),
            Err(failure @ CompileFailure::Table(_)) => Err(Error::invalid(failure.to_string())),
        }
    }

    #[cfg(not(feature = "compile"))]
    fn compile(_source: &str, name: &str) -> Result<CorsLayer, Error> {
        Err(Error::no_compiler(name))
    }

    /// The warnings from compiling the policy (rendered as `corsc check`
    /// prints them), if there were any; log them at startup.
    pub fn warnings(&self) -> Option<&str> {
        self.shared.warnings.as_deref()
    }

    /// The compiled table the layer evaluates (what `corsc compile` writes
    /// for the same source).
    pub fn table_bytes(&self) -> &[u8] {
        &self.shared.bytes
    }

    /// Evaluates a request as the layer does (for logging, or `corsc
    /// explain` in a test).
    pub fn eval<'r>(&'r self, request: &cors_match_core::Request<'r>) -> Outcome<'r> {
        self.shared.table().eval(request)
    }
}

impl<S> tower_layer::Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors::new(inner, Arc::clone(&self.shared))
    }
}

/// The most a policy file or table may hold (as for `corsc`): far above
/// any real policy, so that `/dev/zero` is refused instead of filling
/// memory.
const MAX_INPUT_BYTES: u64 = 64 << 20;

fn read_limited(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|error| Error::io(path, &error))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        let error = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB; not a policy file",
                MAX_INPUT_BYTES >> 20
            ),
        );
        return Err(Error::io(path, &error));
    }
    Ok(bytes)
}
