//! A local CloudFront: a real configuration imported with `edgeconform import`, served by
//! `edgeconform edge --origin NAME=URL` in front of a developer's own server (a plain HTTP server
//! that knows nothing of the harness), over real sockets and TLS from the test CA.

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edgeconform::tls::TestCa;

const LIMIT: Duration = Duration::from_secs(10);
const DOMAIN: &str = "d111111abcdef8.cloudfront.net";

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_edgeconform"))
}

/// The developer's own server: answers every request with `hello from the app` and keeps each
/// request head it received.
fn app_server() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let _ = conn.set_read_timeout(Some(LIMIT));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
                    match conn.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let body = "hello from the app";
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    (addr, heads)
}

#[tokio::test]
async fn an_imported_terraform_distribution_serves_a_local_app_as_cloudfront_would() {
    let dir = TempDir(std::env::temp_dir().join(format!(
        "edgeconform-local-cf-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/import_corpus/tf--itsyndicate-demo-cdn.tf"
    );
    let dist = dir.0.join("dist.yaml");
    let import = bin()
        .args(["import", corpus, "--domain", DOMAIN, "-o"])
        .arg(&dist)
        .output()
        .unwrap();
    assert_eq!(
        import.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let (app, heads) = app_server();
    let ca_dir = dir.0.join("ca");
    let log = dir.0.join("access.log");
    let mut edge = Kill(
        bin()
            .arg("edge")
            .arg("--distribution")
            .arg(&dist)
            .arg("--origin")
            .arg(format!("alb-origin=http://{app}"))
            .arg("--ca-dir")
            .arg(&ca_dir)
            .arg("--access-log")
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let out = edge.0.stdout.take().unwrap();
    let listeners = tokio::task::spawn_blocking(move || {
        let mut found = (None, None);
        for line in std::io::BufReader::new(out).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let addr: Option<SocketAddr> = v["addr"].as_str().and_then(|a| a.parse().ok());
            match v["scheme"].as_str() {
                Some("http") => found.0 = addr,
                Some("https") => found.1 = addr,
                _ => {}
            }
            if let (Some(h), Some(s)) = found {
                return (h, s);
            }
        }
        panic!("the edge printed no listeners");
    });
    let (http, https) = tokio::time::timeout(LIMIT, listeners)
        .await
        .unwrap()
        .unwrap();

    let ca = TestCa::load(&ca_dir).unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(LIMIT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(DOMAIN, https)
        .tls_backend_preconfigured(ca.client_config(&[]).unwrap())
        .build()
        .unwrap();

    // HTTP under redirect-to-https: 301 to the same URL over HTTPS; the app sees nothing.
    let r = client
        .get(format!("http://{http}/tools/status?x=1"))
        .header("Host", DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 301);
    assert_eq!(
        r.headers()["location"],
        format!("https://{DOMAIN}/tools/status?x=1").as_str()
    );
    // An unsafe method over HTTP is refused; over HTTPS it is not allowed on this behavior.
    let r = client
        .post(format!("http://{http}/tools/status"))
        .header("Host", DOMAIN)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(heads.lock().unwrap().is_empty(), "the app saw a request");

    // HTTPS: forwarded to the app over HTTP (an http-only custom origin), path and query as sent,
    // the viewer's X-Forwarded-Proto not passed on.
    let r = client
        .get(format!(
            "https://{DOMAIN}:{}/tools/status?x=1",
            https.port()
        ))
        .header("X-Forwarded-Proto", "http")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "hello from the app");
    let seen = heads.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("GET /tools/status?x=1 HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    assert!(
        !seen[0]
            .to_ascii_lowercase()
            .contains("x-forwarded-proto: http\r\n"),
        "{}",
        seen[0]
    );

    // Every answer is in the CloudFront-format access log once the edge, stopped as a service
    // manager stops it (SIGTERM), has written it out.
    let term = Command::new("kill")
        .args(["-TERM", &edge.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = tokio::task::spawn_blocking(move || edge.0.wait().unwrap());
    let status = tokio::time::timeout(LIMIT, status).await.unwrap().unwrap();
    assert!(
        status.success(),
        "the edge exits cleanly on SIGTERM: {status}"
    );
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines.iter().any(|l| l.contains("\tRedirect\t")), "{text}");
    assert!(lines.iter().any(|l| l.contains("\tMiss\t")), "{text}");
}
