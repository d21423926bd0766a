//! The nginx module (`cors-ffi/nginx/`) against a running nginx.
//!
//! Builds the module with `cors-ffi/nginx/build.sh` (linking the staticlib
//! `cargo test` built, cached under `target/<profile>/nginx-module`), starts
//! private nginx instances on 127.0.0.1 (a free port, every path under a
//! temporary directory) in front of a tiny upstream, and checks the answers
//! over plain HTTP/1.1.
//!
//! nginx and nginx-dev are installed with apt-get when they are missing and
//! the test runs as root. When they are missing and cannot be installed the
//! tests are skipped, or fail if `CORS_REQUIRE_NGINX=1` (as `.ci/run` sets).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const ALLOWED: &str = "https://app.example.com";
const DENIED: &str = "https://evil.example.org";
const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
/// The preflight Vary of a policy with the legacy `private-network on`.
const PREFLIGHT_VARY_PRIVATE_NETWORK: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cors-ffi is in the workspace")
}

/// `target/<profile>/deps`, where `cargo test` puts the staticlib.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.parent()
        .expect("tests run from target/<profile>/deps")
        .to_path_buf()
}

fn command_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn nginx_installed() -> bool {
    command_works("nginx", &["-v"]) && Path::new("/usr/share/nginx/src/conf_flags").exists()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

/// Installs nginx when possible; `Err` says why it is not there.
fn ensure_nginx() -> Result<(), String> {
    if nginx_installed() {
        return Ok(());
    }
    if !is_root() || !command_works("apt-get", &["--version"]) {
        return Err(
            "nginx and nginx-dev are not installed (apt-get install nginx nginx-dev, as root)"
                .into(),
        );
    }
    eprintln!("installing nginx and nginx-dev with apt-get");
    let _ = Command::new("apt-get").args(["update", "-qq"]).status();
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-qq", "nginx", "nginx-dev"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|status| status.success());
    if installed && nginx_installed() {
        Ok(())
    } else {
        Err("apt-get install nginx nginx-dev failed".into())
    }
}

/// The built module, once per test binary; `None` means skip.
/// `CORS_NGINX_MODULE=/path/module.so` tests that one (an installed package's)
/// instead of building one.
fn module() -> Option<PathBuf> {
    static MODULE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = MODULE.get_or_init(|| {
        ensure_nginx()?;
        if let Some(so) = std::env::var_os("CORS_NGINX_MODULE") {
            let so = PathBuf::from(so);
            assert!(
                so.is_file(),
                "CORS_NGINX_MODULE: {} is not a file",
                so.display()
            );
            return Ok(so);
        }
        let library = deps_dir().join("libcors_ffi.a");
        assert!(library.exists(), "{} was not built", library.display());
        let build_dir = deps_dir()
            .parent()
            .expect("target/<profile>")
            .join("nginx-module");
        let started = Instant::now();
        let output = Command::new(workspace_root().join("cors-ffi/nginx/build.sh"))
            .env("CORS_FFI_LIB", &library)
            .env("CORS_NGINX_BUILD", &build_dir)
            .output()
            .expect("cannot run cors-ffi/nginx/build.sh");
        assert!(
            output.status.success(),
            "build.sh failed\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        eprintln!("module built in {:?}", started.elapsed());
        let so = String::from_utf8(output.stdout).expect("a UTF-8 path");
        Ok(PathBuf::from(so.trim()))
    });
    match result {
        Ok(path) => Some(path.clone()),
        Err(why) => {
            assert!(
                std::env::var_os("CORS_REQUIRE_NGINX").is_none_or(|v| v != "1"),
                "CORS_REQUIRE_NGINX=1 but {why}"
            );
            eprintln!("skipping the nginx tests: {why}");
            None
        }
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("cors-nginx-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join("www")).expect("temp dir is writable");
        TempDir(path)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("temp dir is writable");
        }
        std::fs::write(&path, contents).expect("temp dir is writable");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for inspection", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A tiny HTTP upstream: `/v2/vary...` answers with `Vary: Accept-Encoding`,
/// `/v2/vary-origin...` with `Vary: Origin`, `/v2/vary-star...` with
/// `Vary: *`, `/v2/acao...` with `Access-Control-Allow-Origin: *`,
/// `/v2/status404...` with a 404;
/// the body names the method and path. Counts the requests it saw.
///
/// Anywhere in the path, as a framework with its own CORS code would:
/// `reflect` answers with the request's Origin in `Access-Control-Allow-
/// Origin`, `-Credentials: true`, `-Methods`, `-Headers`, `-Max-Age` and
/// `-Expose-Headers`; `agree` with just the Origin and `-Credentials:
/// true`; `two-acao` with two `Access-Control-Allow-Origin` lines,
/// `many-acao` with 40 (and `-Credentials: true`); `acac`
/// with `Access-Control-Allow-Credentials: true`; `x-accel` with an
/// `X-Accel-Redirect` to `/app/accelerated`; `status401` with a 401,
/// `status404` with a 404.
struct Upstream {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Upstream {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("bound").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    let _ = Upstream::serve(stream, &counter);
                });
            }
        });
        Upstream { port, hits }
    }

    fn serve(stream: TcpStream, hits: &AtomicUsize) -> std::io::Result<()> {
        // One request per connection: nginx proxies with HTTP/1.0.
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut content_length = 0usize;
        let mut origin = String::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("origin") {
                    origin = value.trim().to_string();
                }
            }
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        hits.fetch_add(1, Ordering::SeqCst);
        let status = if path.contains("status404") {
            "404 Not Found"
        } else if path.contains("status401") {
            "401 Unauthorized"
        } else {
            "200 OK"
        };
        let cors = if path.contains("reflect") {
            format!(
                "Access-Control-Allow-Origin: {origin}\r\n\
                 Access-Control-Allow-Credentials: true\r\n\
                 Access-Control-Allow-Methods: GET, PUT, DELETE, PATCH\r\n\
                 Access-Control-Allow-Headers: *\r\n\
                 Access-Control-Max-Age: 86400\r\n\
                 Access-Control-Expose-Headers: x-secret\r\n"
            )
        } else if path.contains("agree") {
            format!(
                "Access-Control-Allow-Origin: {origin}\r\n\
                 Access-Control-Allow-Credentials: true\r\n"
            )
        } else if path.contains("many-acao") {
            format!("Access-Control-Allow-Origin: {origin}\r\n").repeat(40)
                + "Access-Control-Allow-Credentials: true\r\n"
        } else if path.contains("two-acao") {
            format!(
                "Access-Control-Allow-Origin: *\r\n\
                 Access-Control-Allow-Origin: {origin}\r\n"
            )
        } else if path.contains("acac") {
            "Access-Control-Allow-Credentials: true\r\n".to_string()
        } else if path.contains("x-accel") {
            // reflects the Origin too, which must not survive the redirect
            format!(
                "X-Accel-Redirect: /app/accelerated\r\n\
                 Access-Control-Allow-Origin: {origin}\r\n"
            )
        } else {
            String::new()
        };
        let vary = if path.starts_with("/v2/vary-origin") {
            "Vary: Origin\r\n"
        } else if path.starts_with("/v2/vary-star") {
            "Vary: *\r\n"
        } else if path.starts_with("/v2/acao") {
            "Access-Control-Allow-Origin: *\r\n"
        } else if path.starts_with("/v2/vary") {
            "Vary: Accept-Encoding\r\n"
        } else {
            ""
        };
        let body = format!("upstream {method} {path}\n");
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\n{vary}{cors}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        (&stream).write_all(response.as_bytes())?;
        Ok(())
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// A running nginx (master and workers), stopped when dropped, even when
/// the test fails.
struct Nginx {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Nginx {
    fn args(dir: &Path) -> Vec<String> {
        vec![
            "-p".into(),
            format!("{}/", dir.display()),
            "-c".into(),
            dir.join("nginx.conf").display().to_string(),
        ]
    }

    /// Runs `nginx -t` on the configuration in `dir`.
    fn test_config(dir: &Path) -> std::process::Output {
        Command::new("nginx")
            .arg("-t")
            .args(Nginx::args(dir))
            .output()
            .expect("cannot run nginx -t")
    }

    fn start(dir: &Path, port: u16) -> Nginx {
        let child = Command::new("nginx")
            .args(Nginx::args(dir))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).expect("temp dir is writable"))
            .spawn()
            .expect("cannot start nginx");
        let mut nginx = Nginx {
            child,
            dir: dir.to_path_buf(),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!(
                    "nginx exited ({status}):\n{}\n{}",
                    read_lossy(&dir.join("stderr.log")),
                    read_lossy(&dir.join("error.log"))
                );
            }
            assert!(Instant::now() < deadline, "nginx did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `nginx -s reload`, which parses the configuration first.
    fn reload(&self) -> std::process::Output {
        Command::new("nginx")
            .args(["-s", "reload"])
            .args(Nginx::args(&self.dir))
            .output()
            .expect("cannot run nginx -s reload")
    }

    /// SIGHUP to the master, which parses the configuration itself.
    fn hangup(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("cannot run kill");
        assert!(status.success());
    }

    fn error_log(&self) -> String {
        read_lossy(&self.dir.join("error.log"))
    }

    /// The master's worker processes, read from `/proc`.
    fn workers(&self) -> Vec<u32> {
        let master = self.child.id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                // `pid (comm) state ppid ...`; comm may hold spaces, so split after `)`.
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|stat| {
                        let rest = &stat[stat.rfind(')')? + 1..];
                        rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                    })
                    == Some(master)
            })
            .collect()
    }

    /// Waits until every process in `old` has exited, so that no request
    /// can reach a worker still running the previous configuration.
    fn wait_for_exit(&self, old: &[u32]) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while old
            .iter()
            .any(|pid| Path::new(&format!("/proc/{pid}")).exists())
        {
            assert!(
                Instant::now() < deadline,
                "old workers {old:?} did not exit:\n{}",
                self.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn request(&self, raw: &str) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("nginx accepts");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.write_all(raw.as_bytes()).expect("request sent");
        let mut reader = BufReader::new(stream);
        read_response(&mut reader, raw.starts_with("HEAD ")).expect("a response")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-QUIT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

#[derive(Debug)]
struct Response {
    status: u16,
    /// Header lines in order, names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of a header that must appear at most once.
    fn get(&self, name: &str) -> Option<&str> {
        let values = self.all(name);
        assert!(values.len() <= 1, "{name} repeated: {self:#?}");
        values.first().copied()
    }

    fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.starts_with("access-control-"))
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

fn read_response(reader: &mut impl BufRead, head: bool) -> std::io::Result<Response> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Err(std::io::Error::other("connection closed in headers"));
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| std::io::Error::other(format!("bad header {header:?}")))?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if head || status == 204 || status == 304 {
        return Ok(response);
    }
    if let Some(length) = response.all("content-length").first() {
        let length: usize = length.parse().map_err(std::io::Error::other)?;
        response.body = vec![0; length];
        reader.read_exact(&mut response.body)?;
    } else if response.all("transfer-encoding").first() == Some(&"chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim(), 16).map_err(std::io::Error::other)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            response.body.extend_from_slice(&chunk[..size]);
        }
    } else {
        reader.read_to_end(&mut response.body)?;
    }
    Ok(response)
}

/// A request with `extra` header lines (each ending in `\r\n`).
fn req(method: &str, path: &str, extra: &str) -> String {
    format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n")
}

fn preflight(path: &str, origin: &str, method: &str, headers: &str) -> String {
    let mut extra = format!("Origin: {origin}\r\nAccess-Control-Request-Method: {method}\r\n");
    if !headers.is_empty() {
        extra.push_str(&format!("Access-Control-Request-Headers: {headers}\r\n"));
    }
    req("OPTIONS", path, &extra)
}

fn actual(path: &str, origin: &str) -> String {
    req("GET", path, &format!("Origin: {origin}\r\n"))
}

/// A configuration: `cors_policy` at http level, the given server body.
fn write_config(dir: &TempDir, module: &Path, policy: &str, server: &str) {
    let root = dir.0.display();
    dir.write(
        "nginx.conf",
        format!(
            "load_module {module};\n\
             daemon off;\n\
             master_process on;\n\
             worker_processes 2;\n\
             pid {root}/nginx.pid;\n\
             error_log {root}/error.log info;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n\
                 log_format cors '$request_method $uri $status $cors_decision $cors_reason';\n\
                 access_log {root}/access.log cors;\n\
                 client_body_temp_path {root}/body;\n\
                 proxy_temp_path {root}/proxy;\n\
                 fastcgi_temp_path {root}/fastcgi;\n\
                 uwsgi_temp_path {root}/uwsgi;\n\
                 scgi_temp_path {root}/scgi;\n\
                 cors_policy {policy};\n\
                 server {{\n{server}\n}}\n\
             }}\n",
            module = module.display(),
        ),
    );
}

fn example_policy() -> String {
    std::fs::read_to_string(workspace_root().join("examples/api.corspolicy"))
        .expect("the example policy is readable")
}

/// The example plus the legacy `private-network on` (the example no longer
/// has it), for the tests of `Access-Control-Allow-Private-Network`.
fn private_network_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/private_network.corspolicy")
}

fn main_server(port: u16, upstream: u16, root: &Path) -> String {
    format!(
        "listen 127.0.0.1:{port};\n\
         cors on;\n\
         location /api/ {{ return 200 \"api\\n\"; }}\n\
         location /api/missing/ {{ return 404; }}\n\
         location /api/add-header/ {{\n\
             add_header Vary Accept-Encoding always;\n\
             add_header Access-Control-Allow-Origin * always;\n\
             return 200 \"api\\n\";\n\
         }}\n\
         location /api/gzip/ {{\n\
             gzip on; gzip_vary on; gzip_min_length 1; gzip_types text/plain;\n\
             return 200 \"a body to compress\\n\";\n\
         }}\n\
         location /api/errpage/ {{ error_page 404 /api/404.html; return 404; }}\n\
         location = /api/404.html {{ root {root}/www; }}\n\
         location /api/errpage-outside/ {{ error_page 404 /404.html; return 404; }}\n\
         location /api/legacy-pna/ {{\n\
             cors_policy {legacy};\n\
             return 200 \"api\\n\";\n\
         }}\n\
         location = /404.html {{ root {root}/www; }}\n\
         location /static/ {{ root {root}/www; }}\n\
         location /v2/ {{ proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location /v2/report/ {{\n\
             cors report-only;\n\
             add_header X-Cors-Decision $cors_decision always;\n\
             add_header X-Cors-Reason $cors_reason always;\n\
             proxy_pass http://127.0.0.1:{upstream};\n\
         }}\n\
         location /v2/off/ {{ cors off; proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location /v2/down/ {{ proxy_pass http://127.0.0.1:{down}; }}\n\
         }}\n\
         server {{\n\
         listen 127.0.0.1:{port};\n\
         server_name moved.test;\n\
         cors on;\n\
         return 301 https://elsewhere.test$request_uri;\n",
        root = root.display(),
        legacy = private_network_policy().display(),
        down = free_port(),
    )
}

#[test]
fn nginx_module_answers_cors_requests() {
    let Some(module) = module() else { return };
    let dir = TempDir::new("main");
    let upstream = Upstream::start();
    let port = free_port();
    dir.write("api.corspolicy", example_policy());
    dir.write("www/404.html", "custom 404\n");
    dir.write("www/api/404.html", "custom 404\n");
    std::fs::create_dir_all(dir.path("www/static")).expect("temp dir is writable");
    dir.write("www/static/app.js", "js\n");
    write_config(
        &dir,
        &module,
        &dir.path("api.corspolicy").display().to_string(),
        &main_server(port, upstream.port, &dir.0),
    );
    let nginx = Nginx::start(&dir.0, port);

    // An allowed preflight, answered before the location's `return`.
    let r = nginx.request(&preflight("/api/users", ALLOWED, "PUT", "content-type"));
    assert_eq!(r.status, 204, "{r:#?}");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(r.get("access-control-allow-credentials"), Some("true"));
    assert!(r
        .get("access-control-allow-methods")
        .unwrap()
        .contains("PUT"));
    assert!(r
        .get("access-control-allow-headers")
        .unwrap()
        .contains("content-type"));
    assert_eq!(r.get("access-control-max-age"), Some("600"));
    assert_eq!(r.get("vary"), Some(PREFLIGHT_VARY));
    assert!(r.body.is_empty());
    assert_eq!(r.get("content-type"), None);

    // Before the proxy, too: the upstream never sees an answered preflight.
    let hits = upstream.hits();
    let r = nginx.request(&preflight("/v2/items", ALLOWED, "DELETE", ""));
    assert_eq!(r.status, 204, "{r:#?}");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    let r = nginx.request(&preflight("/v2/items", DENIED, "DELETE", ""));
    assert_eq!(r.status, 403, "{r:#?}");
    assert_eq!(upstream.hits(), hits, "a preflight reached the upstream");

    // Requested headers split over two lines are joined.
    let r = nginx.request(&req(
        "OPTIONS",
        "/api/users",
        &format!(
            "Origin: {ALLOWED}\r\nAccess-Control-Request-Method: PUT\r\n\
             Access-Control-Request-Headers: content-type\r\n\
             Access-Control-Request-Headers: authorization\r\n"
        ),
    ));
    assert_eq!(r.status, 204, "{r:#?}");
    let allowed = r.get("access-control-allow-headers").unwrap();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    // ...and a requested header the policy lacks denies the preflight.
    let r = nginx.request(&preflight("/api/users", ALLOWED, "PUT", "x-forbidden"));
    assert_eq!(r.status, 403, "{r:#?}");
    assert!(r.cors_headers().is_empty(), "{r:#?}");

    // Private network access: the example's api policy does not allow it;
    // the location with the legacy `private-network on` policy does.
    let private_network = |path: &str| {
        nginx.request(&req(
            "OPTIONS",
            path,
            &format!(
                "Origin: {ALLOWED}\r\nAccess-Control-Request-Method: GET\r\n\
                 Access-Control-Request-Private-Network: true\r\n"
            ),
        ))
    };
    let r = private_network("/api/users");
    assert_eq!(r.status, 403, "{r:#?}");
    assert!(r.cors_headers().is_empty(), "{r:#?}");
    assert_eq!(r.get("vary"), Some(PREFLIGHT_VARY));
    let r = private_network("/api/legacy-pna/users");
    assert_eq!(r.status, 204, "{r:#?}");
    assert_eq!(r.get("access-control-allow-private-network"), Some("true"));
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(r.get("vary"), Some(PREFLIGHT_VARY_PRIVATE_NETWORK));

    // Denied preflights: origin, method.
    for request in [
        preflight("/api/users", DENIED, "PUT", ""),
        preflight("/api/users", ALLOWED, "PATCH", ""),
    ] {
        let r = nginx.request(&request);
        assert_eq!(r.status, 403, "{r:#?}");
        assert!(r.cors_headers().is_empty(), "{r:#?}");
        assert_eq!(r.get("vary"), Some(PREFLIGHT_VARY));
        assert!(r.body.is_empty());
    }

    // An allowed actual request: the location's answer, plus the headers.
    let r = nginx.request(&actual("/api/users?page=2", ALLOWED));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"api\n");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(r.get("access-control-allow-credentials"), Some("true"));
    assert_eq!(r.get("access-control-expose-headers"), Some("x-request-id"));
    assert_eq!(r.get("vary"), Some("Origin"));

    // A denied actual request passes with only Vary: Origin added.
    let r = nginx.request(&actual("/api/users", DENIED));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"api\n");
    assert!(r.cors_headers().is_empty(), "{r:#?}");
    assert_eq!(r.get("vary"), Some("Origin"));
    let r = nginx.request(&actual("/v2/items", DENIED));
    assert_eq!(r.body, b"upstream GET /v2/items\n");
    assert!(r.cors_headers().is_empty(), "{r:#?}");
    assert_eq!(r.get("vary"), Some("Origin"));

    // The path is the normalized URI: /v2/../api/ is /api/, %2F decoded.
    let r = nginx.request(&actual("/static/../api/users", ALLOWED));
    assert_eq!(r.body, b"api\n");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    let r = nginx.request(&actual("/%61pi/users", ALLOWED));
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));

    // Two Origin lines are malformed, not the first or the last one.
    let r = nginx.request(&req(
        "GET",
        "/api/users",
        &format!("Origin: {ALLOWED}\r\nOrigin: {ALLOWED}\r\n"),
    ));
    assert_eq!(r.status, 200);
    assert!(r.cors_headers().is_empty(), "{r:#?}");

    // Not a CORS request: no CORS headers.
    let r = nginx.request(&req("GET", "/api/users", ""));
    assert_eq!(r.status, 200);
    assert!(r.cors_headers().is_empty(), "{r:#?}");

    // The upstream's Vary is merged, never duplicated.
    for (path, expected) in [
        ("/v2/vary", "Accept-Encoding, Origin"),
        ("/v2/vary-origin", "Origin"),
    ] {
        for origin in [ALLOWED, DENIED] {
            let r = nginx.request(&actual(path, origin));
            assert_eq!(r.status, 200);
            assert_eq!(r.all("vary"), vec![expected], "{path} {origin}: {r:#?}");
            assert_eq!(
                r.get("access-control-allow-origin"),
                (origin == ALLOWED).then_some(ALLOWED)
            );
        }
    }

    // ...and with the Vary of add_header and of gzip_vary, which run before
    // the module's header filter.
    for origin in [ALLOWED, DENIED] {
        let r = nginx.request(&actual("/api/add-header/x", origin));
        assert_eq!(r.all("vary"), vec!["Accept-Encoding, Origin"], "{r:#?}");
        // add_header's own Access-Control-Allow-Origin is the module's to
        // set: replaced for an allowed origin, removed for a denied one.
        let acao: &[&str] = if origin == ALLOWED { &[ALLOWED] } else { &[] };
        assert_eq!(r.all("access-control-allow-origin"), acao, "{r:#?}");
        let r = nginx.request(&req(
            "GET",
            "/api/gzip/x",
            &format!("Origin: {origin}\r\nAccept-Encoding: gzip\r\n"),
        ));
        assert_eq!(r.get("content-encoding"), Some("gzip"), "{r:#?}");
        assert_eq!(r.all("vary"), vec!["Accept-Encoding, Origin"], "{r:#?}");
    }
    let r = nginx.request(&actual("/v2/vary-star", ALLOWED));
    assert_eq!(r.all("vary"), vec!["*"], "{r:#?}");
    // An upstream's CORS header is replaced by the policy's, not repeated.
    let r = nginx.request(&actual("/v2/acao", ALLOWED));
    assert_eq!(
        r.all("access-control-allow-origin"),
        vec![ALLOWED],
        "{r:#?}"
    );

    // A proxy error (nothing listens upstream) carries the headers too.
    let r = nginx.request(&actual("/v2/down/x", ALLOWED));
    assert_eq!(r.status, 502, "{r:#?}");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(r.get("vary"), Some("Origin"));

    // Error responses carry the headers: nginx's own error page, an
    // error_page redirect, a static 404, an upstream 404.
    for (path, body) in [
        ("/api/missing/x", None),
        ("/api/errpage/x", Some(&b"custom 404\n"[..])),
        ("/v2/status404", Some(&b"upstream GET /v2/status404\n"[..])),
    ] {
        let r = nginx.request(&actual(path, ALLOWED));
        assert_eq!(r.status, 404, "{path}: {r:#?}");
        if let Some(body) = body {
            assert_eq!(r.body, body, "{path}");
        }
        assert_eq!(
            r.get("access-control-allow-origin"),
            Some(ALLOWED),
            "{path}"
        );
        assert_eq!(r.get("vary"), Some("Origin"), "{path}");
    }
    // An error_page redirect is evaluated at the URI it serves: outside
    // every policy's paths, the error page gets no CORS header.
    let r = nginx.request(&actual("/api/errpage-outside/x", ALLOWED));
    assert_eq!((r.status, &r.body[..]), (404, &b"custom 404\n"[..]));
    assert!(r.cors_headers().is_empty(), "{r:#?}");
    // The assets policy (origins *) on a static 404 and a static file.
    let r = nginx.request(&actual("/static/none.js", DENIED));
    assert_eq!(r.status, 404);
    assert_eq!(r.get("access-control-allow-origin"), Some("*"));
    let r = nginx.request(&actual("/static/app.js", DENIED));
    assert_eq!((r.status, &r.body[..]), (200, &b"js\n"[..]));
    assert_eq!(r.get("access-control-allow-origin"), Some("*"));

    // A server-level `return` runs before the module: a preflight it
    // answers gets no preflight headers; an actual request gets its headers.
    let moved = |method: &str, extra: &str| {
        nginx.request(&format!(
            "{method} /api/x HTTP/1.1\r\nHost: moved.test\r\n{extra}Connection: close\r\n\r\n"
        ))
    };
    let r = moved(
        "OPTIONS",
        &format!("Origin: {ALLOWED}\r\nAccess-Control-Request-Method: PUT\r\n"),
    );
    assert_eq!(r.status, 301, "{r:#?}");
    assert!(
        r.cors_headers().is_empty() && r.get("vary").is_none(),
        "{r:#?}"
    );
    let r = moved("GET", &format!("Origin: {ALLOWED}\r\n"));
    assert_eq!(r.status, 301, "{r:#?}");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));

    // `cors off` in a location.
    let r = nginx.request(&actual("/v2/off/x", ALLOWED));
    assert_eq!(r.body, b"upstream GET /v2/off/x\n");
    assert!(
        r.cors_headers().is_empty() && r.get("vary").is_none(),
        "{r:#?}"
    );

    // report-only: evaluated, logged, nothing changed.
    let hits = upstream.hits();
    let r = nginx.request(&preflight("/v2/report/x", DENIED, "PUT", ""));
    assert_eq!(r.status, 200, "{r:#?}");
    assert_eq!(r.body, b"upstream OPTIONS /v2/report/x\n");
    assert_eq!(upstream.hits(), hits + 1);
    assert!(
        r.cors_headers().is_empty() && r.get("vary").is_none(),
        "{r:#?}"
    );
    assert_eq!(r.get("x-cors-decision"), Some("preflight-denied"));
    assert_eq!(r.get("x-cors-reason"), Some("origin-not-allowed"));
    let r = nginx.request(&actual("/v2/report/y", ALLOWED));
    assert!(
        r.cors_headers().is_empty() && r.get("vary").is_none(),
        "{r:#?}"
    );
    assert_eq!(r.get("x-cors-decision"), Some("actual-allowed"));
    // (add_header skips an empty value: the reason of an allowed request)
    assert_eq!(r.get("x-cors-reason"), None);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = nginx.error_log();
        let access = read_lossy(&dir.path("access.log"));
        if log.contains("[info]")
            && log.contains("cors report-only: preflight-denied origin-not-allowed, policy \"api\"")
            && log.contains("cors report-only: actual-allowed, policy \"api\"")
            && access.contains("OPTIONS /v2/report/x 200 preflight-denied origin-not-allowed")
            && access.contains("OPTIONS /api/users 204 preflight-allowed")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "report-only not logged:\n{log}\naccess log:\n{access}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    load(&nginx, 20, 1_000);

    let log = nginx.error_log();
    for level in ["[alert]", "[crit]", "[emerg]"] {
        assert!(!log.contains(level), "{level} in the error log:\n{log}");
    }
}

/// `total` requests over `connections` keep-alive connections at once, a mix
/// of allowed and denied preflights and actual requests, each checked.
fn load(nginx: &Nginx, connections: usize, total: usize) {
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let errors = Arc::clone(&errors);
            let done = Arc::clone(&done);
            let port = nginx.port;
            std::thread::spawn(move || {
                let per = total / connections + usize::from(c < total % connections);
                let result = (|| -> std::io::Result<()> {
                    let stream = TcpStream::connect(("127.0.0.1", port))?;
                    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
                    let mut reader = BufReader::new(stream.try_clone()?);
                    for i in 0..per {
                        let (origin, allowed) = if (c + i) % 3 == 0 {
                            (DENIED, false)
                        } else {
                            (ALLOWED, true)
                        };
                        let (request, status) = match i % 4 {
                            0 => (
                                format!("OPTIONS /api/u{i} HTTP/1.1\r\nHost: l\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: PUT\r\n\r\n"),
                                if allowed { 204 } else { 403 },
                            ),
                            1 => (format!("GET /api/u{i} HTTP/1.1\r\nHost: l\r\nOrigin: {origin}\r\n\r\n"), 200),
                            2 => (format!("GET /v2/vary{i} HTTP/1.1\r\nHost: l\r\nOrigin: {origin}\r\n\r\n"), 200),
                            _ => (format!("GET /api/missing/{i} HTTP/1.1\r\nHost: l\r\nOrigin: {origin}\r\n\r\n"), 404),
                        };
                        (&stream).write_all(request.as_bytes())?;
                        let r = read_response(&mut reader, false)?;
                        let acao = r.all("access-control-allow-origin");
                        let vary = r.all("vary");
                        let ok = r.status == status
                            && acao == if allowed { vec![ALLOWED] } else { vec![] }
                            && vary.len() == 1
                            && r.all("connection") != vec!["close"];
                        if !ok {
                            errors
                                .lock()
                                .unwrap()
                                .push(format!("connection {c} request {i}: {request:?} -> {r:?}"));
                        }
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(())
                })();
                if let Err(error) = result {
                    errors
                        .lock()
                        .unwrap()
                        .push(format!("connection {c}: {error}"));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a load thread panicked");
    }
    let errors = errors.lock().unwrap();
    assert!(
        errors.is_empty(),
        "{} errors, first: {:#?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert_eq!(done.load(Ordering::SeqCst), total);
    eprintln!(
        "{total} requests over {connections} connections in {:?}, no errors",
        started.elapsed()
    );
}

const BROKEN_POLICY: &str =
    "policy api {\n    paths /api/;\n    origins https://app.example.com;\n    colour blue;\n}\n";

#[test]
fn nginx_t_fails_on_a_broken_policy_with_diagnostics() {
    let Some(module) = module() else { return };
    let dir = TempDir::new("check");
    let server = format!(
        "listen 127.0.0.1:{};\ncors on;\nlocation / {{ return 200; }}",
        free_port()
    );

    let broken = dir.write("broken.corspolicy", BROKEN_POLICY);
    write_config(&dir, &module, "broken.corspolicy", &server);
    let output = Nginx::test_config(&dir.0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "nginx -t accepted it:\n{stderr}");
    // A relative path is relative to the configuration's directory.
    let expected = format!("{}:4:5: error[CORS", broken.display());
    assert!(stderr.contains(&expected), "no {expected:?} in:\n{stderr}");
    assert!(stderr.contains("[emerg]"), "{stderr}");

    // A missing file.
    write_config(&dir, &module, "missing.corspolicy", &server);
    let output = Nginx::test_config(&dir.0);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.corspolicy"));

    // A compiled table is loaded by its magic; a corrupted one is rejected.
    let compiled = cors_policy_lang::compile(&example_policy()).expect("the example compiles");
    dir.write("api.cors", &compiled.table);
    write_config(&dir, &module, "api.cors", &server);
    let output = Nginx::test_config(&dir.0);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut corrupted = compiled.table.clone();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 0x40;
    dir.write("api.cors", &corrupted);
    let output = Nginx::test_config(&dir.0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("invalid cors table"), "{stderr}");

    // A source policy with no errors passes.
    dir.write("good.corspolicy", example_policy());
    write_config(&dir, &module, "good.corspolicy", &server);
    let output = Nginx::test_config(&dir.0);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn nginx_reload_picks_up_a_policy_and_survives_a_broken_one() {
    let Some(module) = module() else { return };
    let dir = TempDir::new("reload");
    let port = free_port();
    let source = "policy api { paths /api/; origins https://app.example.com; methods GET; }\n";
    let policy = dir.write("api.corspolicy", source);
    write_config(
        &dir,
        &module,
        "api.corspolicy",
        &format!("listen 127.0.0.1:{port};\ncors on;\nlocation / {{ return 200 \"ok\\n\"; }}"),
    );
    let nginx = Nginx::start(&dir.0, port);
    const NEW: &str = "https://new.example.net";
    let allowed = |origin: &str| {
        let r = nginx.request(&actual("/api/x", origin));
        assert_eq!(r.status, 200, "{r:#?}");
        r.get("access-control-allow-origin") == Some(origin)
    };
    assert!(allowed(ALLOWED));
    assert!(!allowed(NEW));

    // An edited policy is picked up by a reload. Old workers finish their
    // connections and exit; until they do, one may still accept a request.
    std::fs::write(&policy, source.replace("https://app.example.com", NEW))
        .expect("temp dir is writable");
    let old_workers = nginx.workers();
    assert!(!old_workers.is_empty(), "no workers found under the master");
    let output = nginx.reload();
    assert!(
        output.status.success(),
        "nginx -s reload failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !allowed(NEW) {
        assert!(
            Instant::now() < deadline,
            "the reload was not picked up:\n{}",
            nginx.error_log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx.wait_for_exit(&old_workers);
    assert!(!allowed(ALLOWED));

    // A broken policy: `nginx -t` and `nginx -s reload` refuse it and say
    // why; a SIGHUP straight to the master fails to reload; the running
    // configuration keeps serving.
    std::fs::write(&policy, BROKEN_POLICY).expect("temp dir is writable");
    for output in [Nginx::test_config(&dir.0), nginx.reload()] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        assert!(
            stderr.contains("api.corspolicy:4:5: error[CORS"),
            "{stderr}"
        );
    }
    nginx.hangup();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = nginx.error_log();
        if log.contains("error[CORS") && log.contains("reconfiguring") {
            break;
        }
        assert!(Instant::now() < deadline, "no reload error logged:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    for _ in 0..20 {
        assert!(allowed(NEW));
        assert!(!allowed(ALLOWED));
    }
}

/// The policy of the ownership and rewrite tests: credentials on `/app/`
/// (and the paths that end up there), off on `/open/`.
const OWNED_POLICY: &str = "\
policy app {
    paths /app/ /keep/ /report/ /private/ /auth/ /if/;
    origins https://app.example.com;
    methods GET PUT;
    allow-headers Content-Type;
    credentials on;
}
policy open {
    paths /open/;
    origins https://app.example.com;
    methods GET;
}
";

fn owned_server(port: u16, upstream: u16, root: &Path) -> String {
    format!(
        "listen 127.0.0.1:{port};\n\
         cors on;\n\
         location /app/ {{ proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location /open/ {{ proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location /keep/ {{\n\
             cors_upstream_headers keep;\n\
             proxy_pass http://127.0.0.1:{upstream};\n\
         }}\n\
         location /report/ {{ cors report-only; proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location /legacy/ {{ rewrite ^/legacy/(.*)$ /app/$1 last; }}\n\
         location /spa/ {{ root {root}/www; try_files $uri /app/fallback; }}\n\
         location /broken/ {{ error_page 404 = /app/error; return 404; }}\n\
         location /files/ {{ proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location /ep/ {{ error_page 404 /app/err; return 404; }}\n\
         location /private/ {{\n\
             auth_basic closed;\n\
             auth_basic_user_file {root}/htpasswd;\n\
             proxy_pass http://127.0.0.1:{upstream};\n\
         }}\n\
         location /auth/ {{ auth_request /_auth; proxy_pass http://127.0.0.1:{upstream}; }}\n\
         location = /_auth {{ internal; proxy_pass http://127.0.0.1:{upstream}/status401; }}\n\
         location /if/ {{\n\
             if ($request_method = OPTIONS) {{\n\
                 add_header Access-Control-Allow-Origin * always;\n\
                 return 204;\n\
             }}\n\
             proxy_pass http://127.0.0.1:{upstream};\n\
         }}\n",
        root = root.display(),
    )
}

/// A private nginx serving `owned_server` with `OWNED_POLICY` in front of a
/// fresh upstream, with `files` written into its directory first.
fn start_owned(module: &Path, name: &str, files: &[(&str, &str)]) -> (TempDir, Upstream, Nginx) {
    let dir = TempDir::new(name);
    let upstream = Upstream::start();
    let port = free_port();
    dir.write("owned.corspolicy", OWNED_POLICY);
    for (file, contents) in files {
        dir.write(file, contents);
    }
    write_config(
        &dir,
        module,
        "owned.corspolicy",
        &owned_server(port, upstream.port, &dir.0),
    );
    let nginx = Nginx::start(&dir.0, port);
    (dir, upstream, nginx)
}

/// The error log lines about one request line (`GET /x HTTP/1.1`).
fn log_lines_for<'a>(log: &'a str, request_line: &str) -> Vec<&'a str> {
    let needle = format!("request: \"{request_line}\"");
    log.lines().filter(|line| line.contains(&needle)).collect()
}

#[test]
fn nginx_module_owns_the_cors_response_headers() {
    let Some(module) = module() else { return };
    let (_dir, upstream, nginx) = start_owned(&module, "owned", &[]);

    // An app that reflects any Origin with credentials: for a denied origin
    // the browser gets no Access-Control-* header at all, whatever the
    // status.
    for path in ["/app/reflect", "/app/status404-reflect"] {
        let r = nginx.request(&actual(path, DENIED));
        assert!(r.cors_headers().is_empty(), "{path}: {r:#?}");
        assert_eq!(r.get("vary"), Some("Origin"), "{path}");
        assert!(
            String::from_utf8_lossy(&r.body).starts_with("upstream GET"),
            "{path}"
        );
    }
    // For an allowed origin: the policy's headers, each once; the app's
    // methods, max-age and exposed headers are gone (the policy sends none
    // on an actual request and exposes nothing).
    let r = nginx.request(&actual("/app/reflect", ALLOWED));
    assert_eq!(
        r.all("access-control-allow-origin"),
        vec![ALLOWED],
        "{r:#?}"
    );
    assert_eq!(r.all("access-control-allow-credentials"), vec!["true"]);
    let mut names = r.cors_headers();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "access-control-allow-credentials",
            "access-control-allow-origin"
        ],
        "{r:#?}"
    );
    // Two upstream Access-Control-Allow-Origin lines become the policy's one.
    for origin in [ALLOWED, DENIED] {
        let r = nginx.request(&actual("/app/two-acao", origin));
        let expected: &[&str] = if origin == ALLOWED { &[ALLOWED] } else { &[] };
        assert_eq!(r.all("access-control-allow-origin"), expected, "{r:#?}");
    }
    // A credentials-off policy: the app's `Access-Control-Allow-Credentials:
    // true` does not reach the browser.
    let r = nginx.request(&actual("/open/acac", ALLOWED));
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(r.get("access-control-allow-credentials"), None, "{r:#?}");

    // `cors_upstream_headers keep` opts out: the app's headers stay where
    // the policy sets none, and are replaced (never repeated) where it does.
    let r = nginx.request(&actual("/keep/reflect", DENIED));
    assert_eq!(r.get("access-control-allow-origin"), Some(DENIED), "{r:#?}");
    assert_eq!(r.get("access-control-allow-credentials"), Some("true"));
    let r = nginx.request(&actual("/keep/two-acao", ALLOWED));
    assert_eq!(
        r.all("access-control-allow-origin"),
        vec![ALLOWED],
        "{r:#?}"
    );

    // A preflight the location's own `if ... { add_header ...; return 204; }`
    // would answer (the hand-written CORS being replaced) is the policy's.
    let hits = upstream.hits();
    let r = nginx.request(&preflight("/if/x", ALLOWED, "PUT", "content-type"));
    assert_eq!(r.status, 204, "{r:#?}");
    assert_eq!(
        r.all("access-control-allow-origin"),
        vec![ALLOWED],
        "{r:#?}"
    );
    assert_eq!(r.get("access-control-allow-methods"), Some("GET, PUT"));
    let r = nginx.request(&preflight("/if/x", DENIED, "PUT", ""));
    assert_eq!(r.status, 403, "{r:#?}");
    assert!(r.cors_headers().is_empty(), "{r:#?}");
    assert_eq!(upstream.hits(), hits, "a preflight reached the upstream");

    // report-only: the app's headers stay, and each disagreement with the
    // policy is logged once, at info.
    let r = nginx.request(&actual("/report/reflect-denied", DENIED));
    assert_eq!(r.get("access-control-allow-origin"), Some(DENIED), "{r:#?}");
    assert_eq!(r.get("access-control-allow-credentials"), Some("true"));
    let r = nginx.request(&actual("/report/agree", ALLOWED));
    assert_eq!(
        r.get("access-control-allow-origin"),
        Some(ALLOWED),
        "{r:#?}"
    );
    let log = nginx.error_log();
    let lines = log_lines_for(&log, "GET /report/reflect-denied HTTP/1.1");
    let disagreements: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("disagree"))
        .collect();
    assert_eq!(disagreements.len(), 1, "{lines:#?}");
    let line = disagreements[0];
    assert!(line.contains("[info]"), "{line}");
    assert!(line.contains("actual-denied origin-not-allowed"), "{line}");
    assert!(
        line.contains(&format!(
            "Access-Control-Allow-Origin: sent \"{DENIED}\", policy none"
        )),
        "{line}"
    );
    assert!(
        line.contains("Access-Control-Allow-Credentials: sent \"true\", policy none"),
        "{line}"
    );
    let lines = log_lines_for(&log, "GET /report/agree HTTP/1.1");
    assert!(
        !lines.iter().any(|line| line.contains("disagree")),
        "{lines:#?}"
    );

    // 40 reflected lines: a repeated single-valued header disagrees even
    // when each line is right, and the line stays whole (two values shown,
    // the count of the rest, then the next header).
    nginx.request(&actual("/report/many-acao", ALLOWED));
    let log = nginx.error_log();
    let lines = log_lines_for(&log, "GET /report/many-acao HTTP/1.1");
    let line = lines
        .iter()
        .find(|line| line.contains("disagree"))
        .unwrap_or_else(|| panic!("no disagreement: {lines:#?}"));
    assert!(
        line.contains(&format!(
            "Access-Control-Allow-Origin: sent \"{ALLOWED}\", \"{ALLOWED}\" and 38 more, \
             policy \"{ALLOWED}\""
        )),
        "{line}"
    );
    assert!(!line.contains("Access-Control-Allow-Credentials"), "{line}");
}

#[test]
fn nginx_module_evaluates_the_uri_it_serves() {
    let Some(module) = module() else { return };
    let files = [
        ("htpasswd", "user:{PLAIN}secret\n"),
        ("www/spa/index.html", "index\n"),
    ];
    let (_dir, upstream, nginx) = start_owned(&module, "served", &files);

    // `rewrite ... last` into a policy's paths: the preflight is answered
    // (the upstream never sees it), the GET gets the headers.
    let hits = upstream.hits();
    let r = nginx.request(&preflight("/legacy/users", ALLOWED, "PUT", ""));
    assert_eq!(r.status, 204, "{r:#?}");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    let r = nginx.request(&preflight("/legacy/users", DENIED, "PUT", ""));
    assert_eq!(r.status, 403, "{r:#?}");
    assert_eq!(upstream.hits(), hits, "a preflight reached the upstream");
    let r = nginx.request(&actual("/legacy/users", ALLOWED));
    assert_eq!(r.body, b"upstream GET /app/users\n");
    assert_eq!(
        r.get("access-control-allow-origin"),
        Some(ALLOWED),
        "{r:#?}"
    );

    // try_files falling back into a policy's paths.
    let r = nginx.request(&actual("/spa/missing", ALLOWED));
    assert_eq!(r.body, b"upstream GET /app/fallback\n");
    assert_eq!(
        r.get("access-control-allow-origin"),
        Some(ALLOWED),
        "{r:#?}"
    );
    // ...and a file it finds, outside every policy: no CORS header.
    let r = nginx.request(&actual("/spa/index.html", ALLOWED));
    assert_eq!((r.status, &r.body[..]), (200, &b"index\n"[..]));
    assert!(r.cors_headers().is_empty(), "{r:#?}");

    // An error_page redirect into a policy's paths.
    let r = nginx.request(&actual("/broken/x", ALLOWED));
    assert_eq!(r.body, b"upstream GET /app/error\n");
    assert_eq!(
        r.get("access-control-allow-origin"),
        Some(ALLOWED),
        "{r:#?}"
    );

    // An error_page to a URI makes nginx serve it as a GET; the policy
    // still judges the request the browser sent: a preflight is answered
    // (the upstream never sees it) and a PATCH the policy lacks is denied.
    let hits = upstream.hits();
    let r = nginx.request(&preflight("/ep/x", ALLOWED, "PUT", ""));
    assert_eq!(r.status, 204, "{r:#?}");
    assert!(r.body.is_empty());
    assert_eq!(r.get("access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(upstream.hits(), hits, "the preflight reached the upstream");
    let r = nginx.request(&req("PATCH", "/ep/x", &format!("Origin: {ALLOWED}\r\n")));
    assert_eq!(r.body, b"upstream GET /app/err\n");
    assert!(r.cors_headers().is_empty(), "{r:#?}");
    let r = nginx.request(&actual("/ep/x", ALLOWED));
    assert_eq!(
        r.get("access-control-allow-origin"),
        Some(ALLOWED),
        "{r:#?}"
    );

    // X-Accel-Redirect from outside every policy into one.
    let r = nginx.request(&actual("/files/x-accel", ALLOWED));
    assert_eq!(r.body, b"upstream GET /app/accelerated\n");
    assert_eq!(
        r.get("access-control-allow-origin"),
        Some(ALLOWED),
        "{r:#?}"
    );
    // ...and from a policy's paths out of them: the first response's
    // reflected Origin is not sent.
    let r = nginx.request(&actual("/app/x-accel", DENIED));
    assert_eq!(r.body, b"upstream GET /app/accelerated\n");
    assert!(r.cors_headers().is_empty(), "{r:#?}");

    // Preflights are answered before the access phase: auth_basic and
    // auth_request never turn one into a 401; the actual request is
    // refused with the policy's headers, so the page can read the 401.
    for path in ["/private/x", "/auth/x"] {
        let hits = upstream.hits();
        let r = nginx.request(&preflight(path, ALLOWED, "PUT", "content-type"));
        assert_eq!(r.status, 204, "{path}: {r:#?}");
        assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
        assert_eq!(upstream.hits(), hits, "{path}: the preflight went on");
        let r = nginx.request(&actual(path, ALLOWED));
        assert_eq!(r.status, 401, "{path}: {r:#?}");
        assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
    }
    let r = nginx.request(&req(
        "GET",
        "/private/x",
        &format!("Origin: {ALLOWED}\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\n"),
    ));
    assert_eq!(r.status, 200, "{r:#?}");
    assert_eq!(r.get("access-control-allow-origin"), Some(ALLOWED));
}

/// The peak resident memory (VmHWM, KiB) of each worker.
fn worker_peaks(nginx: &Nginx) -> Vec<(u32, u64)> {
    nginx
        .workers()
        .into_iter()
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            let kib = line.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, kib))
        })
        .collect()
}

#[test]
fn nginx_module_joins_repeated_headers_in_linear_time_and_memory() {
    let Some(module) = module() else { return };
    let dir = TempDir::new("repeated");
    let port = free_port();
    dir.write("owned.corspolicy", OWNED_POLICY);
    write_config(
        &dir,
        &module,
        "owned.corspolicy",
        &format!(
            "listen 127.0.0.1:{port};\n\
             large_client_header_buffers 16 64k;\n\
             cors on;\n\
             location /app/ {{ return 200 \"app\\n\"; }}\n"
        ),
    );
    let nginx = Nginx::start(&dir.0, port);
    // Warm both workers up, then record their peaks.
    for _ in 0..8 {
        nginx.request(&actual("/app/x", ALLOWED));
    }
    let before = worker_peaks(&nginx);
    assert!(!before.is_empty());

    // 990 `Origin` lines (nginx refuses more than 1,000 header lines) of 500
    // bytes: joined the old way (a copy of the whole value per line) that is
    // 245 MB copied and allocated; joined once it is 495 KB. The bounds
    // leave an order of magnitude either way.
    let origin = format!("https://{}.example.com", "a".repeat(480));
    let lines = format!("Origin: {origin}\r\n").repeat(990);
    let started = Instant::now();
    let r = nginx.request(&req("GET", "/app/x", &lines));
    let elapsed = started.elapsed();
    assert_eq!(r.status, 200, "{r:#?}");
    assert!(
        r.cors_headers().is_empty(),
        "a repeated Origin is malformed"
    );
    let after = worker_peaks(&nginx);
    let growth = after
        .iter()
        .filter_map(|(pid, peak)| {
            let old = before.iter().find(|(p, _)| p == pid)?.1;
            Some(peak.saturating_sub(old))
        })
        .max()
        .expect("the same workers");
    assert!(
        growth < 16 * 1024,
        "a worker's peak memory grew by {growth} KiB"
    );
    assert!(
        elapsed < Duration::from_secs(1),
        "990 Origin lines took {elapsed:?}"
    );
    // The requested headers, repeated, are joined: all of them count.
    let mut extra = format!("Origin: {ALLOWED}\r\nAccess-Control-Request-Method: PUT\r\n");
    extra.push_str(&"Access-Control-Request-Headers: content-type\r\n".repeat(900));
    let r = nginx.request(&req("OPTIONS", "/app/x", &extra));
    assert_eq!(r.status, 204, "{r:#?}");
    extra.push_str("Access-Control-Request-Headers: x-other\r\n");
    let r = nginx.request(&req("OPTIONS", "/app/x", &extra));
    assert_eq!(r.status, 403, "{r:#?}");
}

#[test]
fn nginx_module_escapes_client_bytes_in_its_log() {
    let Some(module) = module() else { return };
    let (dir, _upstream, nginx) = start_owned(&module, "escape", &[]);

    // ESC sequences, BEL, DEL, a quote and a backslash, through the
    // decision line and (reflected by the app) the disagreement line.
    let hostile = "https://\x1b[31mevil\x07\x7f\"\\.example.org";
    nginx.request(&actual("/report/reflect-hostile", hostile));
    let long = format!("https://{}.example.org", "a".repeat(5000));
    nginx.request(&actual("/report/long", &long));

    let bytes = std::fs::read(dir.path("error.log")).expect("an error log");
    assert!(
        !bytes.iter().any(|&b| (b < 0x20 && b != b'\n') || b == 0x7f),
        "a control byte reached the error log"
    );
    let log = String::from_utf8_lossy(&bytes);
    let lines = log_lines_for(&log, "GET /report/reflect-hostile HTTP/1.1");
    let escaped = r#"https://\x1B[31mevil\x07\x7F\x22\x5C.example.org"#;
    assert!(
        lines
            .iter()
            .any(|l| l.contains("cors report-only: actual-denied") && l.contains(escaped)),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("disagree") && l.contains(escaped)),
        "{lines:#?}"
    );
    // A 5,020-byte origin is cut at 256 bytes, and says how long it was.
    let line = log
        .lines()
        .find(|l| l.contains("cors report-only: actual-denied") && l.contains("/report/long"))
        .expect("a decision line for /report/long");
    assert!(line.contains("...(5020 bytes)"), "{line}");
    assert!(line.len() < 2000, "{} bytes: {line}", line.len());
}

#[test]
fn nginx_logs_each_diagnostic_at_its_level_and_refuses_an_empty_policy() {
    let Some(module) = module() else { return };
    let dir = TempDir::new("levels");
    let server = format!(
        "listen 127.0.0.1:{};\ncors on;\nlocation / {{ return 200; }}",
        free_port()
    );

    // A warning and an error: `[warn]` and `[emerg]`.
    let source = "policy api {\n    paths /api/;\n    origins https://app.example.com;\n    \
                  private-network on;\n    colour blue;\n}\n";
    dir.write("mixed.corspolicy", source);
    write_config(&dir, &module, "mixed.corspolicy", &server);
    let output = Nginx::test_config(&dir.0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let line_of = |code: &str| {
        stderr
            .lines()
            .find(|line| line.contains(code))
            .unwrap_or_else(|| panic!("no {code} in:\n{stderr}"))
            .to_string()
    };
    assert!(line_of("warning[CORS0075]").contains("[warn]"), "{stderr}");
    assert!(line_of("error[CORS0010]").contains("[emerg]"), "{stderr}");

    // Only a warning: the configuration passes, the warning at `[warn]`.
    dir.write(
        "warned.corspolicy",
        source.replace("    colour blue;\n", ""),
    );
    write_config(&dir, &module, "warned.corspolicy", &server);
    let output = Nginx::test_config(&dir.0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let warning = stderr
        .lines()
        .find(|line| line.contains("warning[CORS0075]"))
        .unwrap_or_else(|| panic!("no warning in:\n{stderr}"));
    assert!(warning.contains("[warn]"), "{stderr}");
    assert!(!stderr.contains("[emerg]"), "{stderr}");

    // The level is read where the severity is written, not from a message
    // that quotes the policy.
    dir.write(
        "quoted.corspolicy",
        "policy x { paths /api/; origins \"https://a.test: warning[\"; }\n",
    );
    write_config(&dir, &module, "quoted.corspolicy", &server);
    let output = Nginx::test_config(&dir.0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let error = stderr
        .lines()
        .find(|line| line.contains(": error[CORS"))
        .unwrap_or_else(|| panic!("no error in:\n{stderr}"));
    assert!(error.contains("[emerg]"), "{stderr}");

    // `cors on` where no policy is in effect enforces nothing: a warning.
    dir.write("api.corspolicy", example_policy());
    write_config(
        &dir,
        &module,
        "api.corspolicy",
        &format!(
            "listen 127.0.0.1:{};\nlocation / {{ cors_policy off.corspolicy; }}\n",
            free_port()
        ),
    );
    let config = std::fs::read_to_string(dir.path("nginx.conf")).expect("written");
    dir.write(
        "nginx.conf",
        config
            .replace("cors_policy api.corspolicy;", "cors on;")
            .replace("cors_policy off.corspolicy;", "cors_policy api.corspolicy;"),
    );
    let output = Nginx::test_config(&dir.0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("[warn]")
            && stderr.contains("\"cors on\" without a \"cors_policy\" in effect"),
        "{stderr}"
    );

    // A file with no policy (empty, comments only, or such a table) would
    // turn `cors on` into nothing: nginx refuses it.
    let empty_table = cors_policy_lang::compile("# nothing yet\n")
        .expect("an empty policy compiles")
        .table;
    dir.write("empty.corspolicy", "");
    dir.write("comments.corspolicy", "# nothing yet\n");
    dir.write("empty.cors", &empty_table);
    for file in ["empty.corspolicy", "comments.corspolicy", "empty.cors"] {
        write_config(&dir, &module, file, &server);
        let output = Nginx::test_config(&dir.0);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{file}: nginx -t accepted it");
        assert!(stderr.contains("defines no policy"), "{file}: {stderr}");
        assert!(stderr.contains("[emerg]"), "{file}: {stderr}");
    }
}

/// The nginx guide's Configure block (`cors-ffi/nginx/README.md`) passes
/// `nginx -t` as written (only the policy's path is this test's).
#[test]
fn readme_configure_block_passes_nginx_t() {
    let Some(module) = module() else { return };
    let readme = std::fs::read_to_string(workspace_root().join("cors-ffi/nginx/README.md"))
        .expect("cors-ffi/nginx/README.md is readable");
    let start = readme
        .find("## Configure\n\n```nginx\n")
        .expect("a Configure block in the nginx guide")
        + "## Configure\n\n```nginx\n".len();
    let block = &readme[start..start + readme[start..].find("```").expect("a closed block")];
    assert!(
        block.contains("cors_policy /etc/nginx/api.corspolicy;"),
        "{block}"
    );
    let dir = TempDir::new("readme");
    let policy = dir.write("api.corspolicy", example_policy());
    let root = dir.0.display();
    let block = block
        .replace("/etc/nginx/api.corspolicy", &policy.display().to_string())
        .replacen(
            "http {\n",
            &format!(
                "http {{\n    access_log {root}/access.log;\n    client_body_temp_path {root}/body;\n    \
                 proxy_temp_path {root}/proxy;\n    fastcgi_temp_path {root}/fastcgi;\n    \
                 uwsgi_temp_path {root}/uwsgi;\n    scgi_temp_path {root}/scgi;\n"
            ),
            1,
        );
    dir.write(
        "nginx.conf",
        format!(
            "load_module {};\npid {root}/nginx.pid;\nerror_log {root}/error.log;\n\
             events {{}}\n{block}",
            module.display()
        ),
    );
    let output = Nginx::test_config(&dir.0);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A `?` or `#` that the client percent-encoded is part of the path nginx
/// serves; corsc must not take it for the start of a query, or `/exact%3Fx`
/// (nginx's `/exact?x`, under `location /exact`) would be judged as
/// `/exact`, which the policy covers.
#[test]
fn nginx_module_keeps_an_encoded_question_mark_in_the_path() {
    let Some(module) = module() else { return };
    let dir = TempDir::new("qmark");
    let port = free_port();
    dir.write(
        "exact.corspolicy",
        "policy exact {\n    paths /exact;\n    origins https://app.example.com;\n}\n",
    );
    write_config(
        &dir,
        &module,
        "exact.corspolicy",
        &format!(
            "listen 127.0.0.1:{port};\n\
             cors on;\n\
             location /exact {{ return 200 \"exact\\n\"; }}\n"
        ),
    );
    let nginx = Nginx::start(&dir.0, port);
    let origin = "https://app.example.com";
    let r = nginx.request(&actual("/exact", origin));
    assert_eq!(r.get("access-control-allow-origin"), Some(origin), "{r:#?}");
    let r = nginx.request(&actual("/exact/x?q=1", origin));
    assert_eq!(r.get("access-control-allow-origin"), Some(origin), "{r:#?}");
    for path in ["/exact%3Fx", "/exact%3F", "/exact%23x", "/exact%3f%23/y"] {
        let r = nginx.request(&actual(path, origin));
        assert_eq!(r.status, 200, "{path}: {r:#?}");
        assert!(r.cors_headers().is_empty(), "{path}: {r:#?}");
    }
}
