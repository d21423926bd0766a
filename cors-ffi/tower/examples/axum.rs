//! An axum service behind corsc: `cargo run -p corsc-tower --example axum`,
//! then `curl -i -X OPTIONS http://127.0.0.1:3000/api/users -H 'Origin:
//! http://localhost:5173' -H 'Access-Control-Request-Method: PUT'`.
use axum::routing::get;
use axum::Router;
use corsc_tower::CorsLayer;

/// The routes, behind the policy. A mistake in the policy is an `Err` with
/// corsc's diagnostics, at startup.
pub fn app() -> Result<Router, corsc_tower::Error> {
    // The policy is compiled into the binary here; `CorsLayer::from_file`
    // reads it at startup instead.
    let cors = CorsLayer::from_source(include_str!("api.corspolicy"))?;
    Ok(Router::new()
        .route(
            "/api/users",
            get(|| async { "[]" }).put(|| async { "saved" }),
        )
        .layer(cors))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app()?).await?;
    Ok(())
}
