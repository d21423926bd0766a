//! The host the browser conformance suite (`cors-ffi/tests/browser/`,
//! `scripts/test-browser`) runs against: an axum router behind
//! `CorsLayer::from_file($CORSC_POLICY)` that forwards every request to
//! the suite's upstream (`$CORSC_UPSTREAM`, `http://127.0.0.1:PORT`),
//! listening on 127.0.0.1:`$PORT`.
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use corsc_tower::CorsLayer;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;

/// Headers that describe one hop, not the request.
const HOP: [header::HeaderName; 4] = [
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::CONTENT_LENGTH,
    header::HOST,
];

fn strip_hop(headers: &mut HeaderMap) {
    for name in HOP {
        headers.remove(name);
    }
    headers.remove("keep-alive");
}

/// The request, forwarded as is (method, path and query, headers, body);
/// the upstream's answer returned as is, redirects included.
async fn forward(State(upstream): State<SocketAddr>, request: Request) -> Response {
    match try_forward(upstream, request).await {
        Ok(response) => response,
        Err(error) => (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    }
}

async fn try_forward(
    upstream: SocketAddr,
    request: Request,
) -> Result<Response, Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(upstream).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let (mut parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str());
    parts.uri = target.parse::<Uri>()?;
    strip_hop(&mut parts.headers);
    parts
        .headers
        .insert(header::HOST, upstream.to_string().parse()?);
    let body = body.collect().await?.to_bytes();
    let answer = sender
        .send_request(axum::http::Request::from_parts(
            parts,
            http_body_util::Full::new(body),
        ))
        .await?;
    let (mut parts, body) = answer.into_parts();
    strip_hop(&mut parts.headers);
    let body = body.collect().await?.to_bytes();
    Ok(Response::from_parts(parts, Body::from(body)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = std::env::var("CORSC_POLICY")?;
    let upstream = std::env::var("CORSC_UPSTREAM")?;
    let upstream: SocketAddr = upstream.trim_start_matches("http://").parse()?;
    let port: u16 = std::env::var("PORT")?.parse()?;
    let cors = CorsLayer::from_file(&policy)?;
    if let Some(warnings) = cors.warnings() {
        eprintln!("{warnings}");
    }
    let app = Router::new()
        .fallback(forward)
        .with_state(upstream)
        .layer(cors);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
