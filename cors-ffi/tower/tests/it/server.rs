//! The README's axum example (`examples/axum.rs`, its router itself) served
//! on 127.0.0.1, asked over TCP by a plain HTTP/1.1 client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

#[path = "../../examples/axum.rs"]
#[allow(dead_code)] // its `main`
mod example;

/// Serves the example's router on a port of its own, on a thread of its own.
fn serve() -> SocketAddr {
    let app = example::app().expect("the example's policy compiles");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || runtime.block_on(async { axum::serve(listener, app).await }));
    address
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn get(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(all.len() <= 1, "one {name} line expected: {all:?}");
        all.first().copied()
    }
}

/// One request on a new connection; `lines` are the header lines.
fn ask(address: SocketAddr, method: &str, path: &str, lines: &[&str]) -> Answer {
    let mut stream = TcpStream::connect(address).unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for line in lines {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

#[test]
fn the_example_server_over_tcp() {
    let server = serve();

    let answer = ask(
        server,
        "OPTIONS",
        "/api/users",
        &[
            "Origin: http://localhost:5173",
            "Access-Control-Request-Method: PUT",
            "Access-Control-Request-Headers: content-type",
        ],
    );
    assert_eq!(answer.status, 204);
    assert_eq!(
        answer.get("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(answer.get("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        answer.get("access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE")
    );
    assert_eq!(
        answer.get("access-control-allow-headers"),
        Some("content-type, authorization")
    );
    assert_eq!(answer.get("access-control-max-age"), Some("600"));
    assert_eq!(answer.get("vary"), Some(PREFLIGHT_VARY));
    assert_eq!(answer.body, "");

    let answer = ask(
        server,
        "OPTIONS",
        "/api/users",
        &[
            "Origin: https://evil.test",
            "Access-Control-Request-Method: PUT",
        ],
    );
    assert_eq!(answer.status, 403);
    assert_eq!(answer.get("access-control-allow-origin"), None);
    assert_eq!(answer.get("vary"), Some(PREFLIGHT_VARY));

    let answer = ask(
        server,
        "GET",
        "/api/users",
        &["Origin: https://app.example.com"],
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "[]");
    assert_eq!(
        answer.get("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        answer.get("access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(answer.get("vary"), Some("Origin"));

    let answer = ask(server, "GET", "/api/users", &["Origin: https://evil.test"]);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.get("access-control-allow-origin"), None);
    assert_eq!(answer.get("vary"), Some("Origin"));

    // An error status of the router gets the headers too.
    let answer = ask(
        server,
        "GET",
        "/api/missing",
        &["Origin: https://app.example.com"],
    );
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.get("access-control-allow-origin"),
        Some("https://app.example.com")
    );

    // OPTIONS without Access-Control-Request-Method is the router's (405),
    // and an actual request with a method the policy does not list.
    let answer = ask(
        server,
        "OPTIONS",
        "/api/users",
        &["Origin: https://app.example.com"],
    );
    assert_eq!(answer.status, 405);
    assert_eq!(answer.get("access-control-allow-origin"), None);
    assert_eq!(answer.get("vary"), Some("Origin"));

    // Two Origin lines: malformed, denied.
    let answer = ask(
        server,
        "GET",
        "/api/users",
        &[
            "Origin: https://app.example.com",
            "Origin: https://app.example.com",
        ],
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.get("access-control-allow-origin"), None);

    // Outside the policy's paths: nothing.
    let answer = ask(
        server,
        "GET",
        "/health",
        &["Origin: https://app.example.com"],
    );
    assert_eq!(answer.status, 404);
    assert!(answer.all("access-control-allow-origin").is_empty());
    assert!(answer.all("vary").is_empty());
}
