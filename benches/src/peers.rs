//! The implementations corsc is compared with, each configured from the
//! same [`Origins`] as corsc's policy (methods `GET PUT`, headers
//! `content-type authorization`, credentials) and driven without a server
//! or an async runtime: their futures are polled once with a no-op waker.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll, Waker};

use http::header::{self, HeaderValue};
use http::Method;
use regex::Regex;
use tower_http::cors::{AllowOrigin, Cors};

use crate::{matches_wildcard, poll_ready_now, Origins, Variant};

/// The report name of tower-http.
pub const TOWER: &str = "tower-http";
/// The report name of actix-cors.
pub const ACTIX: &str = "actix-cors";
/// The report name of the django-style baseline.
pub const DJANGO: &str = "django-style";

/// The `Access-Control-Allow-Origin` value of an `http` response.
pub fn allow_origin_http(response: &http::Response<()>) -> Option<Vec<u8>> {
    response
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|value| value.as_bytes().to_vec())
}

/// The `Access-Control-Allow-Origin` value of an actix response.
pub fn allow_origin_actix<B>(response: &actix_web::dev::ServiceResponse<B>) -> Option<Vec<u8>> {
    response
        .headers()
        .get(actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|value| value.as_bytes().to_vec())
}

fn header_values(origins: &[String]) -> Vec<HeaderValue> {
    origins
        .iter()
        .map(|origin| HeaderValue::from_str(origin).expect("generated origins are header values"))
        .collect()
}

/// The inner service tower-http's `Cors` wraps: answers every request with
/// an empty `200`, at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct TowerNoop;

impl tower_service::Service<http::Request<()>> for TowerNoop {
    type Response = http::Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: http::Request<()>) -> Self::Future {
        ready(Ok(http::Response::new(())))
    }
}

/// tower-http's `Cors` middleware around [`TowerNoop`].
///
/// Exact origins go to `AllowOrigin::list` (a linear scan of
/// `HeaderValue`s); a policy with wildcard patterns uses
/// `AllowOrigin::predicate` with the same exact list followed by a scan of
/// the wildcard suffixes, as a tower-http user would write it.
pub struct TowerPeer {
    service: Cors<TowerNoop>,
}

impl TowerPeer {
    /// Configures the middleware for `origins`.
    pub fn new(origins: &Origins) -> TowerPeer {
        let exact = header_values(&origins.exact);
        let allow_origin = match origins.variant {
            Variant::Exact => AllowOrigin::list(exact),
            Variant::Wildcard10 => {
                let suffixes = origins.wildcard_suffixes.clone();
                AllowOrigin::predicate(move |origin, _parts| {
                    exact.contains(origin)
                        || suffixes
                            .iter()
                            .any(|suffix| matches_wildcard(origin.as_bytes(), suffix))
                })
            }
        };
        let service = Cors::new(TowerNoop)
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::PUT])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .allow_credentials(true);
        TowerPeer { service }
    }

    /// The whole service call: `poll_ready`, `call` and the response
    /// future polled to completion (headers built and inserted).
    pub fn call(&mut self, request: http::Request<()>) -> http::Response<()> {
        serve(&mut self.service, request)
    }
}

/// The report name of the tower benchmarks' floor: the inner service
/// alone through the same harness, no middleware.
pub const NO_MIDDLEWARE: &str = "no-middleware";

/// The report name of corsc's tower layer (`corsc-tower`).
pub const CORSC_TOWER: &str = "corsc-tower";

/// corsc's tower layer (`corsc_tower::CorsLayer`) around [`TowerNoop`],
/// loading the same compiled table as the other corsc benchmarks.
pub struct CorscTowerPeer {
    service: corsc_tower::Cors<TowerNoop>,
}

impl CorscTowerPeer {
    /// Loads `table` (a table compiled from the policy of the origins).
    pub fn new(table: &[u8]) -> CorscTowerPeer {
        use tower_layer::Layer as _;
        let layer = corsc_tower::CorsLayer::from_table(table.to_vec())
            .expect("a freshly compiled table loads");
        CorscTowerPeer {
            service: layer.layer(TowerNoop),
        }
    }

    /// The whole service call, through the same harness as [`TowerPeer`].
    pub fn call(&mut self, request: http::Request<()>) -> http::Response<()> {
        serve(&mut self.service, request)
    }
}

/// The report name of the tower benchmarks' second floor: the response
/// headers alone, no CORS decision.
pub const HEADERS_ONLY: &str = "headers-only";

/// The lower bound of any CORS middleware's time in the tower benchmarks:
/// a service that decides nothing and only puts on the response the
/// headers a correct answer carries (the very names, values and status
/// corsc-tower answers the scenario with), in the cheapest way known. The
/// values are built ahead as `from_static` values (a clone copies two
/// words: no reference count, no check); the `Access-Control-Allow-Origin`
/// a correct answer echoes is the request's own `Origin` value (found with
/// one map lookup). A preflight is answered without the inner service in
/// the request's own header map, emptied (no allocation), the `Origin`
/// value moved out of it; another request goes to [`TowerNoop`] and the
/// headers are inserted into its response.
pub struct HeadersOnly {
    inner: TowerNoop,
    /// The status of a preflight's answer; `None`: call the inner service.
    answer: Option<http::StatusCode>,
    /// The headers, in order; `None` in place of the echoed `Origin`.
    headers: Vec<(header::HeaderName, Option<HeaderValue>)>,
}

impl HeadersOnly {
    /// The floor for a request answered with `response` (its status and
    /// headers; a preflight when `preflight`), a `Access-Control-Allow-Origin`
    /// equal to `origin` being the echoed request value.
    pub fn new(
        response: &http::Response<()>,
        preflight: bool,
        origin: Option<&str>,
    ) -> HeadersOnly {
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let echoed = *name == header::ACCESS_CONTROL_ALLOW_ORIGIN
                    && origin.is_some_and(|origin| value.as_bytes() == origin.as_bytes());
                let value = (!echoed).then(|| {
                    // A handful of short strings per benchmark fixture,
                    // leaked so that the values are `from_static`.
                    let text: &'static str = Box::leak(
                        value
                            .to_str()
                            .expect("ASCII values")
                            .to_owned()
                            .into_boxed_str(),
                    );
                    HeaderValue::from_static(text)
                });
                (name.clone(), value)
            })
            .collect();
        HeadersOnly {
            inner: TowerNoop,
            answer: preflight.then(|| response.status()),
            headers,
        }
    }

    /// Puts the headers on `map`, `origin` in place of the echoed value.
    #[inline]
    fn put(&self, map: &mut http::HeaderMap, mut origin: Option<HeaderValue>) {
        map.reserve(self.headers.len());
        for (name, value) in &self.headers {
            let value = match value {
                Some(value) => value.clone(),
                None => match origin.take() {
                    Some(origin) => origin,
                    None => continue,
                },
            };
            map.insert(name.clone(), value);
        }
    }
}

impl tower_service::Service<http::Request<()>> for HeadersOnly {
    type Response = http::Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<()>, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<()>) -> Self::Future {
        let echoes = self.headers.iter().any(|(_, value)| value.is_none());
        if let Some(status) = self.answer {
            let mut map = request.into_parts().0.headers;
            const TAKEN: HeaderValue = HeaderValue::from_static("");
            let origin = if echoes {
                map.get_mut(header::ORIGIN)
                    .map(|line| std::mem::replace(line, TAKEN))
            } else {
                None
            };
            map.clear();
            self.put(&mut map, origin);
            let mut response = http::Response::new(());
            *response.status_mut() = status;
            *response.headers_mut() = map;
            return ready(Ok(response));
        }
        let origin = if echoes {
            request.headers().get(header::ORIGIN).cloned()
        } else {
            None
        };
        let mut response = match self.inner.call(request).into_inner() {
            Ok(response) => response,
            Err(never) => match never {},
        };
        self.put(response.headers_mut(), origin);
        ready(Ok(response))
    }
}

/// The harness both tower middlewares run through: `poll_ready`, `call`
/// and the response future polled to completion.
pub fn serve<S>(service: &mut S, request: http::Request<()>) -> http::Response<()>
where
    S: tower_service::Service<http::Request<()>, Response = http::Response<()>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    match service.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the middleware is always ready around a ready service"),
    }
    match poll_ready_now(service.call(request)) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The inner service actix-cors' middleware wraps: answers every request
/// with an empty `200`, at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct ActixNoop;

impl actix_web::dev::Service<actix_web::dev::ServiceRequest> for ActixNoop {
    type Response = actix_web::dev::ServiceResponse;
    type Error = actix_web::Error;
    type Future = Ready<Result<Self::Response, Self::Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, request: actix_web::dev::ServiceRequest) -> Self::Future {
        ready(Ok(
            request.into_response(actix_web::HttpResponse::Ok().finish())
        ))
    }
}

/// actix-cors' middleware around [`ActixNoop`], built with
/// `Transform::new_transform` (no `App`, no server, no runtime).
///
/// Exact origins go through `Cors::allowed_origin` (a `HashSet` of
/// `HeaderValue`s); wildcard patterns through one `allowed_origin_fn`
/// scanning the suffixes.
pub struct ActixPeer {
    middleware: actix_cors::CorsMiddleware<ActixNoop>,
}

impl ActixPeer {
    /// Configures the middleware for `origins`.
    pub fn new(origins: &Origins) -> ActixPeer {
        use actix_web::dev::Transform as _;
        use actix_web::http::header as actix_header;
        let mut cors = actix_cors::Cors::default()
            .allowed_methods(["GET", "PUT"])
            .allowed_headers([actix_header::CONTENT_TYPE, actix_header::AUTHORIZATION])
            .supports_credentials();
        for origin in &origins.exact {
            cors = cors.allowed_origin(origin);
        }
        if !origins.wildcard_suffixes.is_empty() {
            let suffixes = origins.wildcard_suffixes.clone();
            cors = cors.allowed_origin_fn(move |origin, _head| {
                suffixes
                    .iter()
                    .any(|suffix| matches_wildcard(origin.as_bytes(), suffix))
            });
        }
        let middleware = poll_ready_now(cors.new_transform(ActixNoop))
            .expect("actix-cors accepts the benchmark configuration");
        ActixPeer { middleware }
    }

    /// The whole service call: `poll_ready`, `call` and the boxed response
    /// future polled to completion (headers built and inserted).
    pub fn call(
        &self,
        request: actix_web::dev::ServiceRequest,
    ) -> actix_web::dev::ServiceResponse<actix_web::body::EitherBody<actix_web::body::BoxBody>>
    {
        use actix_web::dev::Service as _;
        let mut cx = Context::from_waker(Waker::noop());
        match self.middleware.poll_ready(&mut cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(error)) => panic!("actix-cors not ready: {error}"),
            Poll::Pending => panic!("actix-cors is always ready around a ready service"),
        }
        poll_ready_now(self.middleware.call(request))
            .unwrap_or_else(|error| panic!("actix-cors failed: {error}"))
    }
}

/// The django-style baseline: what settings-based middlewares
/// (django-cors-headers' `CORS_ALLOWED_ORIGINS` and
/// `CORS_ALLOWED_ORIGIN_REGEXES`) do, in Rust: a scan of the exact origins,
/// then a scan of anchored regexes, then the response headers.
pub struct DjangoPeer {
    allowed_origins: Vec<String>,
    origin_regexes: Vec<Regex>,
    allow_methods: HeaderValue,
    allow_headers: HeaderValue,
}

impl DjangoPeer {
    /// Configures the baseline for `origins`: each wildcard pattern
    /// `https://*.S` becomes `^https://[^.]+(\.[^.]+)*\.S$` (escaped).
    pub fn new(origins: &Origins) -> DjangoPeer {
        let origin_regexes = origins
            .wildcard_suffixes
            .iter()
            .map(|suffix| {
                let pattern = format!(r"^https://[^.]+(\.[^.]+)*{}$", regex::escape(suffix));
                Regex::new(&pattern).expect("valid origin regex")
            })
            .collect();
        DjangoPeer {
            allowed_origins: origins.exact.clone(),
            origin_regexes,
            allow_methods: HeaderValue::from_static("GET, PUT"),
            allow_headers: HeaderValue::from_static("content-type, authorization"),
        }
    }

    /// Whether the origin is in the exact list or matches a regex.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
            || self
                .origin_regexes
                .iter()
                .any(|regex| regex.is_match(origin))
    }

    /// The whole middleware: a preflight gets an empty `200` of its own,
    /// another request the no-op view's; then `Vary`, and when the origin
    /// is allowed the CORS headers.
    pub fn handle(&self, request: &http::Request<()>) -> http::Response<()> {
        let headers = request.headers();
        let options = request.method() == Method::OPTIONS;
        let preflight = options && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut response = http::Response::new(());
        let out = response.headers_mut();
        if preflight {
            out.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        out.append(header::VARY, HeaderValue::from_static("origin"));
        let Some(origin) = headers.get(header::ORIGIN) else {
            return response;
        };
        let Ok(origin_text) = origin.to_str() else {
            return response;
        };
        if !self.origin_allowed(origin_text) {
            return response;
        }
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        out.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        if options {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                self.allow_headers.clone(),
            );
            out.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                self.allow_methods.clone(),
            );
        }
        response
    }
}
