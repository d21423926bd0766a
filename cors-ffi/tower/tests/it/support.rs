//! An inner service that records its calls, and a way to drive a service
//! without a runtime.
#![allow(dead_code)] // each suite uses a different part

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode};
use tower_service::Service;

/// Answers every request with `status`, `headers` and the body `inner`,
/// counting its calls.
#[derive(Clone, Debug)]
pub struct Inner {
    pub calls: Arc<AtomicUsize>,
    pub status: StatusCode,
    pub headers: HeaderMap,
}

impl Inner {
    /// `200`, no headers.
    pub fn ok() -> Inner {
        Inner::with(StatusCode::OK, &[])
    }

    pub fn with(status: StatusCode, headers: &[(&'static str, &'static str)]) -> Inner {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        Inner {
            calls: Arc::new(AtomicUsize::new(0)),
            status,
            headers: map,
        }
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl<B> Service<Request<B>> for Inner {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: Request<B>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut response = Response::new(String::from("inner"));
        *response.status_mut() = self.status;
        if !self.headers.is_empty() {
            *response.headers_mut() = self.headers.clone();
        }
        ready(Ok(response))
    }
}

/// Polls `future` once with a no-op waker; it must be ready.
pub fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future must be ready at once"),
    }
}

/// `poll_ready` then `call`, the response future polled once.
pub fn call<S, B, R>(service: &mut S, request: Request<B>) -> Response<R>
where
    S: Service<Request<B>, Response = Response<R>, Error = Infallible>,
{
    match service.poll_ready(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(())) => {}
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the service must be ready"),
    }
    match now(service.call(request)) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// A request with these header lines (repeat a name for several lines).
pub fn request(method: &str, uri: &str, headers: &[(&'static str, &'static str)]) -> Request<()> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, HeaderValue::from_static(value));
    }
    builder.body(()).expect("a valid request")
}

/// The response's headers, in order, as (name, value) strings.
pub fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The one value of `name`, as a string.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut all = headers.get_all(name).iter();
    let value = all.next()?;
    assert!(all.next().is_none(), "one {name} line expected");
    Some(value.to_str().expect("a visible ASCII value"))
}
