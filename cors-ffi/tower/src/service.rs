//! The [`Cors`] service and its response future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use cors_match_core::Request as CoreRequest;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::headers::{self, Pending, RequestLines};
use crate::Shared;

/// A service with a corsc policy in front of it; made by
/// [`CorsLayer`](crate::CorsLayer).
///
/// Clones share the policy.
pub struct Cors<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: Clone> Clone for Cors<S> {
    fn clone(&self) -> Self {
        Cors {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for Cors<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cors")
            .field("inner", &self.inner)
            .field("table_bytes", &self.shared.bytes().len())
            .finish()
    }
}

impl<S> Cors<S> {
    pub(crate) fn new(inner: S, shared: Arc<Shared>) -> Cors<S> {
        Cors { inner, shared }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// What the layer decided before the inner service is called.
enum Plan {
    /// Answer at once: the preflight's status and headers.
    Answer(StatusCode, Pending),
    /// Call the inner service, then set these headers (with the request's
    /// `Origin` line when they echo it).
    Forward(Pending, Option<HeaderValue>),
}

impl<S> Cors<S> {
    /// Evaluates the request and keeps the outcome's headers.
    #[inline]
    fn plan<B>(&self, request: &Request<B>) -> Plan {
        let headers = request.headers();
        let lines = RequestLines::read(headers);
        let origin = lines.origin.value(headers, &header::ORIGIN);
        let request_method = lines
            .request_method
            .value(headers, &header::ACCESS_CONTROL_REQUEST_METHOD);
        let request_headers = lines
            .request_headers
            .value(headers, &header::ACCESS_CONTROL_REQUEST_HEADERS);
        let private_network = lines
            .private_network
            .value(headers, &headers::REQUEST_PRIVATE_NETWORK);
        let core = CoreRequest {
            method: request.method().as_str().as_bytes(),
            path: request.uri().path().as_bytes(),
            origin: origin.as_deref(),
            request_method: request_method.as_deref(),
            request_headers: request_headers.as_deref(),
            request_private_network: private_network.as_deref(),
        };
        let outcome = self.shared.table().eval(&core);
        // The single `Origin` line, whose value the outcome may echo.
        let origin_line = lines.origin.single();
        let pending = Pending::new(&self.shared, origin_line, &outcome.headers);
        if outcome.decision.is_preflight() {
            let status = outcome
                .status
                .and_then(|status| StatusCode::from_u16(status).ok())
                .unwrap_or(StatusCode::FORBIDDEN);
            Plan::Answer(status, pending)
        } else {
            // The request goes to the inner service: the echoed line is a
            // copy (a reference count increment).
            let origin = origin_line.filter(|_| pending.echoes_origin()).cloned();
            Plan::Forward(pending, origin)
        }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match self.plan(&request) {
            Plan::Answer(status, pending) => {
                // The preflight ends here: its header map becomes the
                // answer's, the rest of the request is dropped.
                let map = request.into_parts().0.headers;
                let headers = headers::answer(map, pending, &self.shared);
                ResponseFuture {
                    kind: Kind::Answer {
                        answer: Some((status, headers)),
                    },
                }
            }
            Plan::Forward(pending, origin) => {
                // The table only when a value is the table's: most actual
                // requests' headers (the origin, `true`, `Vary`) are not,
                // and then no reference count is touched.
                let shared = pending.uses_table().then(|| Arc::clone(&self.shared));
                ResponseFuture {
                    kind: Kind::Forward {
                        future: self.inner.call(request),
                        headers: Some((pending, origin, shared)),
                    },
                }
            }
        }
    }
}

pin_project! {
    /// The response future of [`Cors`]: a preflight's answer, or the inner
    /// service's response with the outcome's headers set.
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Answer {
            answer: Option<(StatusCode, HeaderMap)>,
        },
        Forward {
            #[pin]
            future: F,
            headers: Option<(Pending, Option<HeaderValue>, Option<Arc<Shared>>)>,
        },
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Answer { answer } => {
                let (status, headers) = answer
                    .take()
                    .expect("corsc-tower's ResponseFuture polled after completion");
                let mut response = Response::new(B::default());
                *response.status_mut() = status;
                *response.headers_mut() = headers;
                Poll::Ready(Ok(response))
            }
            KindProj::Forward { future, headers } => {
                let mut response = match future.poll(cx) {
                    Poll::Ready(Ok(response)) => response,
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Pending => return Poll::Pending,
                };
                let (pending, origin, shared) = headers
                    .take()
                    .expect("corsc-tower's ResponseFuture polled after completion");
                headers::apply(response.headers_mut(), pending, shared.as_deref(), origin);
                Poll::Ready(Ok(response))
            }
        }
    }
}
