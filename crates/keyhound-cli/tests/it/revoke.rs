//! The revocation loop on loopback: `scan --revoke` → `keyhound serve` → the key store.

use crate::common::*;
use keyhound::keys::{Env, Issuer};
use keyhound::revoke::webhook;
use keyhound_issuer::store::{KeyStore, NewKey, Verdict};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Proc, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Standard Webhooks' published example secret, assembled so scanners skip it.
const SECRET: &str = concat!("whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

/// A repository with `key` committed in `src/config.py`, a remote with credentials in its URL.
fn repo_with(key: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    // Assembled at run time so scanners do not flag the fixture.
    let remote = format!("https://bot:{}@git.example.com/acme/app.git", "hunter2");
    git(dir.path(), &["remote", "add", "origin", &remote]);
    write(
        dir.path(),
        "src/config.py",
        format!("API_KEY = \"{key}\"\n"),
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "add config"]);
    dir
}

/// A store with one issued key; returns (db path, key, key id).
fn store_with_key(dir: &Path) -> (PathBuf, String, String) {
    let db = dir.join("keys.sqlite");
    let mut store = KeyStore::open(&db).unwrap();
    let acme = Issuer::new("acme").unwrap();
    let k = store
        .issue(
            &acme,
            Env::Live,
            &NewKey {
                owner: "billing".into(),
                ..NewKey::default()
            },
        )
        .unwrap();
    (db, k.expose().to_string(), k.key_id.clone())
}

/// `keyhound serve` as a child process on a free loopback port.
struct Server {
    child: Child,
    url: String,
    /// Its log, line by line (JSON).
    log: Arc<Mutex<Vec<Value>>>,
}

impl Server {
    fn start(db: &Path) -> Server {
        Server::start_with(db, SECRET, "127.0.0.1:0", &[])
    }

    /// `keyhound serve --listen LISTEN --db DB EXTRA…` with `secret`.
    fn start_with(db: &Path, secret: &str, listen: &str, extra: &[&str]) -> Server {
        let mut child = Proc::new(env!("CARGO_BIN_EXE_keyhound"))
            .args(["serve", "--listen", listen, "--db"])
            .arg(db)
            .args(extra)
            .env("KEYHOUND_WEBHOOK_SECRET", secret)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log: Arc<Mutex<Vec<Value>>> = Arc::default();
        let addr = loop {
            let line = lines.next().expect("serve logs until it listens").unwrap();
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("{line}"));
            log.lock().unwrap().push(v.clone());
            if v["event"] == "listening" {
                break v["address"].as_str().unwrap().to_string();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        Server {
            child,
            url: format!("http://{addr}/v1/revocations"),
            log,
        }
    }

    fn authority(&self) -> String {
        authority(&self.url)
    }

    fn log(&self) -> Vec<Value> {
        self.log.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit status (graceful shutdown).
    fn stop(mut self) -> std::process::ExitStatus {
        let _ = Proc::new("kill").arg(self.child.id().to_string()).status();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `keyhound scan --format json --revoke-url URL PATH` with the signing secret in the
/// environment: the exit code and the report.
fn scan_revoking(path: &Path, url: &str, secret: &str) -> (Option<i32>, Value) {
    let (code, report, _) = scan_revoking_err(path, url, secret);
    (code, report)
}

/// The same, with what it said on standard error.
fn scan_revoking_err(path: &Path, url: &str, secret: &str) -> (Option<i32>, Value, String) {
    let out = keyhound()
        .args(["scan", "--format", "json", "--revoke-url", url])
        .arg(path)
        .env("KEYHOUND_WEBHOOK_SECRET", secret)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).expect("JSON report");
    (
        out.status.code(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `host:port` of an `http://` URL.
fn authority(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

fn verify(db: &Path, key: &str) -> String {
    let out = keyhound()
        .args(["key", "verify", key, "--db"])
        .arg(db)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn end_to_end_issue_commit_scan_revoke_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let server = Server::start(&db);
    assert!(verify(&db, &key).starts_with("valid"));
    let out = keyhound()
        .args([
            "scan",
            "--git",
            "--format",
            "json",
            "--revoke-url",
            &server.url,
        ])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    let f = &report["findings"][0];
    assert_eq!(f["confirmation"], "checksum");
    assert_eq!(f["revocation"], "revoked", "{report:#}");
    assert!(
        verify(&db, &key).starts_with("revoked"),
        "{}",
        verify(&db, &key)
    );
    // The audit trail names where it leaked (remote without credentials), never the key.
    let store = KeyStore::open(&db).unwrap();
    let revoked = store
        .audit()
        .unwrap()
        .into_iter()
        .find(|a| a.event == "revoked")
        .unwrap();
    assert!(
        revoked
            .detail
            .contains("https://git.example.com/acme/app.git"),
        "{}",
        revoked.detail
    );
    assert!(
        revoked.detail.contains("src/config.py:1"),
        "{}",
        revoked.detail
    );
    assert!(!revoked.detail.contains("hunter2") && !revoked.detail.contains(&key));
    // A second scan: already revoked.
    let (_, report) = scan_revoking(repo.path(), &server.url, SECRET);
    // The same finding within the replay window is the same message: the receiver refuses
    // it as a replay, which tells the client the report was already made.
    assert_eq!(report["findings"][0]["revocation"], "already-reported");
    assert!(server.stop().success(), "graceful shutdown exits 0");
}

#[test]
fn receiver_down_spools_then_retry_pending_delivers() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    write(
        repo.path(),
        ".keyhound.toml",
        "[revocation]\nmax_retries = 1\ntimeout = 2\n",
    );
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}/v1/revocations");
    let (code, report, err) = scan_revoking_err(repo.path(), &dead, SECRET);
    assert_eq!(code, Some(1), "the exit code reflects the findings");
    assert_eq!(report["findings"][0]["revocation"], "spooled");
    // The wait is said, with the host (never the secret).
    assert!(
        err.contains(&format!("revocation webhook 127.0.0.1:{port}:"))
            && err.contains("retrying in")
            && err.contains("(attempt 2 of 2)")
            && err.contains("giving up after 2 attempts"),
        "{err}"
    );
    assert!(!err.contains(SECRET) && !err.contains(&key), "{err}");
    let spool = repo.path().join(".git/keyhound/revocations.jsonl");
    let text = std::fs::read_to_string(&spool).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(!text.contains(&key), "the spool holds digests only");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&spool).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let audit =
        std::fs::read_to_string(repo.path().join(".git/keyhound/revocations-audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 2, "two attempts logged: {audit}");
    assert!(!audit.contains(&key));
    assert!(verify(&db, &key).starts_with("valid"));

    let server = Server::start(&db);
    keyhound()
        .args(["revoke", "--retry-pending", "--revoke-url", &server.url])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .success()
        .stdout(predicates::str::contains("revoked"))
        .stdout(predicates::str::contains("1 delivered, 0 still pending"));
    assert!(verify(&db, &key).starts_with("revoked"));
    let left = std::fs::read_to_string(&spool).unwrap_or_default();
    assert!(left.trim().is_empty(), "spool emptied: {left}");
    keyhound()
        .args(["revoke", "--retry-pending", "--revoke-url", &server.url])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .success()
        .stdout(predicates::str::contains("nothing pending"));
}

/// Serves `app` on a free loopback port from a background thread.
fn spawn_server(app: axum::Router) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app).await.unwrap();
            })
    });
    rx.recv().unwrap()
}

/// The receiver in this process, behind an optional fault layer; returns its URL.
fn in_process(db: &Path, fail_first: usize) -> (String, Arc<AtomicUsize>) {
    in_process_failing_with(db, fail_first, 500, None)
}

/// The same, failing the first requests with `status` (and a `Retry-After` header).
fn in_process_failing_with(
    db: &Path,
    fail_first: usize,
    status: u16,
    retry_after: Option<u64>,
) -> (String, Arc<AtomicUsize>) {
    let store = KeyStore::open(db).unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = keyhound_issuer::serve::router(store, SECRET).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < fail_first {
                    let mut resp = axum::response::IntoResponse::into_response((
                        axum::http::StatusCode::from_u16(status).unwrap(),
                        "try again",
                    ));
                    if let Some(s) = retry_after {
                        resp.headers_mut()
                            .insert("retry-after", s.to_string().parse().unwrap());
                    }
                    return resp;
                }
                next.run(req).await
            }
        },
    ));
    let addr = spawn_server(app);
    (format!("http://{addr}/v1/revocations"), hits)
}

#[test]
fn server_errors_are_retried_and_the_key_revoked_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let (url, hits) = in_process(&db, 2);
    let (_, report) = scan_revoking(repo.path(), &url, SECRET);
    assert_eq!(report["findings"][0]["revocation"], "revoked", "{report:#}");
    assert_eq!(hits.load(Ordering::SeqCst), 3, "500, 500, then 200");
    let store = KeyStore::open(&db).unwrap();
    let revocations = store
        .audit()
        .unwrap()
        .into_iter()
        .filter(|a| a.event == "revoked")
        .count();
    assert_eq!(revocations, 1);
}

#[test]
fn too_many_requests_waits_as_retry_after_says() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let (url, hits) = in_process_failing_with(&db, 1, 429, Some(2));
    let started = std::time::Instant::now();
    let (_, report) = scan_revoking(repo.path(), &url, SECRET);
    assert_eq!(report["findings"][0]["revocation"], "revoked", "{report:#}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "waited {:?}, Retry-After said 2 s",
        started.elapsed()
    );
}

#[test]
fn wrong_secret_is_refused_and_nothing_revoked() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let (url, _) = in_process(&db, 0);
    let (_, report) = scan_revoking(repo.path(), &url, "whsec_bm90IHRoZSByaWdodCBzZWNyZXQ=");
    let r = report["findings"][0]["revocation"].as_str().unwrap();
    assert!(r.starts_with("failed: HTTP 401"), "{r}");
    assert!(verify(&db, &key).starts_with("valid"));
}

/// Sends one signed message; returns the status and body.
fn post(url: &str, id: &str, ts: i64, body: &[u8], secret: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let sig = webhook::sign(&webhook::signing_key(secret), id, ts, body);
    let mut resp = agent
        .post(url)
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", sig)
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

fn batch_for(keys: &[&str]) -> Vec<u8> {
    let reports: Vec<webhook::LeakReport> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| webhook::LeakReport {
            id: format!("finding-{i}"),
            rule: "keyhound.key".into(),
            token_sha256: keyhound::keys::digest(k),
            token_prefix: "acme_live_".into(),
            location: webhook::Location {
                repository: String::new(),
                commit: None,
                path: "x".into(),
                line: 1,
            },
            source: "ci".into(),
            detected_at: String::new(),
            token: None,
        })
        .collect();
    serde_json::to_vec(&webhook::LeakBatch {
        kind: webhook::LEAK_TYPE.into(),
        reports,
    })
    .unwrap()
}

#[test]
fn replays_stale_timestamps_bad_signatures_and_big_bodies_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let (url, _) = in_process(&db, 0);
    let now = keyhound_issuer::store::now();
    let body = batch_for(&[&key]);

    let (status, _) = post(&url, "msg_bad", now, &body, "whsec_d3Jvbmc=");
    assert_eq!(status, 401);
    assert!(
        verify(&db, &key).starts_with("valid"),
        "nothing revoked on a bad signature"
    );

    let (status, _) = post(&url, "msg_old", now - 600, &body, SECRET);
    assert_eq!(status, 400, "stale timestamp");
    let (status, _) = post(&url, "msg_future", now + 600, &body, SECRET);
    assert_eq!(status, 400, "future timestamp");
    assert!(verify(&db, &key).starts_with("valid"));

    // A malformed body quoting a key (in a field of the wrong type) is refused without the
    // key echoed back (or logged).
    let misplaced = format!(
        r#"{{"type":"keyhound.leak.v1","reports":[{{"id":"x","rule":"r","token_sha256":"{}","token_prefix":"p","location":{{"repository":"","path":"p","line":"{key}"}},"source":"ci","detected_at":""}}]}}"#,
        "0".repeat(64)
    );
    let (status, text) = post(&url, "msg_bad_body", now, misplaced.as_bytes(), SECRET);
    assert_eq!(status, 400);
    assert!(!text.contains(&key), "key echoed: {text}");
    assert!(text.contains("line 1"), "{text}");

    let (status, text) = post(&url, "msg_1", now, &body, SECRET);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"revoked\""), "{text}");
    let (status, _) = post(&url, "msg_1", now, &body, SECRET);
    assert_eq!(status, 409, "replayed id");

    // 2 MiB: the server stops reading at 1 MiB and answers 413. The body is written on
    // another thread (the server may close before taking it all), spoken by hand.
    {
        use std::io::{Read, Write};
        let authority = url.trim_start_matches("http://").split('/').next().unwrap();
        let mut s = std::net::TcpStream::connect(authority).unwrap();
        let head = format!(
            "POST /v1/revocations HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\nwebhook-id: msg_big\r\nwebhook-timestamp: {now}\r\nwebhook-signature: v1,AAAA\r\ncontent-length: {}\r\n\r\n",
            2 << 20
        );
        s.write_all(head.as_bytes()).unwrap();
        let mut writer = s.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = writer.write_all(&vec![b' '; 2 << 20]);
        });
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(&answer).contains("\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }

    let health = ureq::get(url.replace("/v1/revocations", "/healthz"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert_eq!(health, "ok");
}

#[test]
fn fifty_concurrent_reports_are_all_processed() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("keys.sqlite");
    let mut store = KeyStore::open(&db).unwrap();
    let acme = Issuer::new("acme").unwrap();
    let keys: Vec<String> = (0..50)
        .map(|_| {
            store
                .issue(&acme, Env::Live, &NewKey::default())
                .unwrap()
                .expose()
                .to_string()
        })
        .collect();
    drop(store);
    let (url, _) = in_process(&db, 0);
    let now = keyhound_issuer::store::now();
    let handles: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let (url, body) = (url.clone(), batch_for(&[k]));
            std::thread::spawn(move || post(&url, &format!("msg_{i}"), now, &body, SECRET).0)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    let mut store = KeyStore::open(&db).unwrap();
    for k in &keys {
        assert!(matches!(store.verify(k).unwrap(), Verdict::Revoked { .. }));
    }
    let revoked = store
        .audit()
        .unwrap()
        .into_iter()
        .filter(|a| a.event == "revoked")
        .count();
    assert_eq!(revoked, 50);
}

#[test]
fn staged_scans_never_send_and_dry_run_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    write(repo.path(), "src/more.py", format!("K = \"{key}\"\n"));
    git(repo.path(), &["add", "-A"]);
    keyhound()
        .args(["scan", "--staged", "--revoke-url", "http://127.0.0.1:9/x"])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "not sending revocations from --staged",
        ));
    let out = keyhound()
        .args(["scan", "--revoke-dry-run", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keyhound.leak.v1") && err.contains("token_sha256"),
        "{err}"
    );
    assert!(!err.contains(&key), "no raw key in the dry run");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["revocation"], "dry-run");
    // Plain http to anything but loopback is refused.
    keyhound()
        .args(["scan", "--revoke-url", "http://revoke.example.com/v1"])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("https"));
}

#[test]
fn github_partner_format_is_signed_with_the_published_key() {
    use p256::pkcs8::DecodePublicKey;
    let tmp = tempfile::tempdir().unwrap();
    let (_, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let pem = tmp.path().join("partner.pem");
    let out = keyhound()
        .args(["webhook", "keygen", "--out"])
        .arg(&pem)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let key_id = out
        .lines()
        .find_map(|l| l.strip_prefix("key identifier: "))
        .unwrap()
        .to_string();
    let public_pem: String = out
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN PUBLIC KEY"))
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let public = p256::ecdsa::VerifyingKey::from_public_key_pem(&public_pem).unwrap();
    // keygen refuses to overwrite without --force
    keyhound()
        .args(["webhook", "keygen", "--out"])
        .arg(&pem)
        .assert()
        .code(2);

    // A receiver that records what it gets.
    type Seen = Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, Vec<u8>)>>>;
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/partner",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let record = record.clone();
                async move {
                    record.lock().unwrap().push((headers, body.to_vec()));
                    "[]"
                }
            },
        ),
    );
    let addr = spawn_server(app);
    write(
        repo.path(),
        ".keyhound.toml",
        format!(
            "[revocation]\nurl = \"http://{addr}/partner\"\nformat = \"github-partner\"\nkey_file = \"{}\"\nkey_id_header = \"X-Key-Id\"\nsignature_header = \"X-Signature\"\n",
            pem.display()
        ),
    );
    let out = keyhound()
        .args(["scan", "--git", "--revoke", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["findings"][0]["revocation"], "reported",
        "{report:#}"
    );
    let seen = seen.lock().unwrap();
    let (headers, body) = &seen[0];
    assert_eq!(headers["x-key-id"].to_str().unwrap(), key_id);
    let sig = headers["x-signature"].to_str().unwrap();
    assert!(keyhound::revoke::partner::verify(&public, body, sig));
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sent[0]["token"], key.as_str());
    assert_eq!(sent[0]["type"], "keyhound.key");
    assert_eq!(sent[0]["source"], "commit");
    assert!(sent[0]["url"].as_str().unwrap().contains("src/config.py"));
}

/// The real receiver in this process, recording each request body it is sent.
fn in_process_recording(db: &Path) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let store = KeyStore::open(db).unwrap();
    let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let record = bodies.clone();
    let app = keyhound_issuer::serve::router(store, SECRET).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let record = record.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
                record.lock().unwrap().push(bytes.to_vec());
                next.run(axum::extract::Request::from_parts(
                    parts,
                    axum::body::Body::from(bytes),
                ))
                .await
            }
        },
    ));
    (
        format!("http://{}/v1/revocations", spawn_server(app)),
        bodies,
    )
}

/// A loopback port nothing listens on.
fn dead_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/v1/revocations")
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_healthz_still_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, _, _) = store_with_key(tmp.path());
    let server = Server::start_with(
        &db,
        SECRET,
        "127.0.0.1:0",
        &[
            "--header-timeout",
            "500ms",
            "--body-timeout",
            "500ms",
            "--max-connections",
            "4",
        ],
    );
    let addr = server.authority();
    let now = keyhound_issuer::store::now();
    let signed_head = |framing: &str| {
        format!(
            "POST /v1/revocations HTTP/1.1\r\nhost: {addr}\r\nwebhook-id: msg_slow\r\nwebhook-timestamp: {now}\r\nwebhook-signature: v1,AAAA\r\n{framing}\r\n"
        )
    };
    let kinds = [
        ("idle", String::new()),
        (
            "partial headers",
            format!("POST /v1/revocations HTTP/1.1\r\nhost: {addr}\r\nwebhook-id: ms"),
        ),
        ("headers, no body", signed_head("content-length: 100\r\n")),
        (
            "chunked, no chunk",
            signed_head("transfer-encoding: chunked\r\n"),
        ),
        (
            "idle after a request",
            format!("GET /healthz HTTP/1.1\r\nhost: {addr}\r\n\r\n"),
        ),
    ];
    // Ten slow connections, four served at a time.
    let mut conns = Vec::new();
    for _ in 0..2 {
        for (name, bytes) in &kinds {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(bytes.as_bytes()).unwrap();
            conns.push((*name, s));
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let health = agent
        .get(format!("http://{addr}/healthz"))
        .call()
        .expect("healthz answers past the slow clients")
        .body_mut()
        .read_to_string()
        .unwrap();
    assert_eq!(health, "ok");
    for (name, mut s) in conns {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut got = Vec::new();
        match s.read_to_end(&mut got) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("{name}: the server left the connection open ({e})"),
        }
        let got = String::from_utf8_lossy(&got);
        match name {
            "headers, no body" | "chunked, no chunk" => {
                assert!(got.starts_with("HTTP/1.1 408"), "{name}: {got}");
                assert!(got.contains(r#"{"error":"#), "{name}: {got}");
            }
            "idle after a request" => assert!(got.starts_with("HTTP/1.1 200"), "{name}: {got}"),
            _ => assert!(got.is_empty(), "{name}: {got}"),
        }
    }
    // Over 1 MiB: refused with a JSON answer, before the body is sent, and logged.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(signed_head(&format!("content-length: {}\r\n", 2 << 20)).as_bytes())
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 413"), "{got}");
    assert!(got.ends_with(r#"{"error":"body over 1 MiB"}"#), "{got}");

    // Give the log a moment to be drained from the pipe.
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    let has = |event: &str, status: Option<u64>| {
        log.iter()
            .any(|l| l["event"] == event && status.is_none_or(|s| l["status"].as_u64() == Some(s)))
    };
    assert!(has("connection-limit", None), "{log:#?}");
    assert!(has("connection-timeout", None), "{log:#?}");
    assert!(has("rejected", Some(408)), "{log:#?}");
    assert!(has("rejected", Some(413)), "{log:#?}");
    let listening = &log.iter().find(|l| l["event"] == "listening").unwrap();
    assert_eq!(listening["header_timeout_ms"], 500);
    assert_eq!(listening["max_connections"], 4);
    assert!(server.stop().success(), "graceful shutdown exits 0");
}

#[test]
fn serve_takes_host_names_and_warns_about_weak_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let short = format!("{}{}", "tiny", "key");
    let server = Server::start_with(&db, &short, "localhost:0", &[]);
    let log = server.log();
    let warning = log
        .iter()
        .find(|l| l["event"] == "warning")
        .unwrap_or_else(|| panic!("{log:#?}"));
    let text = warning["message"].as_str().unwrap();
    assert!(text.contains("7 bytes") && !text.contains(&short), "{text}");
    let addr = server.authority();
    assert!(
        addr.starts_with("127.0.0.1:") || addr.starts_with("[::1]:"),
        "{addr}"
    );
    drop(server);

    // `keyhound webhook secret`: 32 random bytes, a new one each time, accepted as is.
    let make = || {
        let out = keyhound()
            .args(["webhook", "secret"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap().trim_end().to_string()
    };
    let (a, b) = (make(), make());
    assert_ne!(a, b);
    for s in [&a, &b] {
        assert!(s.starts_with("whsec_"), "{s}");
        assert_eq!(webhook::signing_key(s).len(), 32, "{s}");
    }
    let server = Server::start_with(&db, &a, "127.0.0.1:0", &[]);
    assert!(
        !server.log().iter().any(|l| l["event"] == "warning"),
        "{:#?}",
        server.log()
    );
    let now = keyhound_issuer::store::now();
    let (status, text) = post(&server.url, "msg_fresh", now, &batch_for(&[&key]), &a);
    assert_eq!(status, 200, "{text}");
    // A bare port, or an address that does not resolve, is refused clearly.
    keyhound()
        .args(["serve", "--db"])
        .arg(&db)
        .args(["--listen", "8787"])
        .env("KEYHOUND_WEBHOOK_SECRET", &a)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("HOST:PORT"));
}

#[test]
fn retry_pending_sends_each_report_where_it_was_going() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    // No URL in the configuration: only --revoke-url knew it.
    write(
        repo.path(),
        ".keyhound.toml",
        "[revocation]\nmax_retries = 1\ntimeout = 5\n",
    );
    let (url, hits) = in_process_failing_with(&db, 2, 503, None);
    let (_, report, err) = scan_revoking_err(repo.path(), &url, SECRET);
    assert_eq!(report["findings"][0]["revocation"], "spooled");
    assert!(err.contains("HTTP 503; retrying in"), "{err}");
    let spool = repo.path().join(".git/keyhound/revocations.jsonl");
    let entry: Value = serde_json::from_str(read_text(&spool).trim()).unwrap();
    assert_eq!(entry["url"], url.as_str());
    keyhound()
        .args(["revoke", "--retry-pending"])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .success()
        .stdout(predicates::str::contains("revoked"))
        .stdout(predicates::str::contains("1 delivered, 0 still pending"));
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    assert!(verify(&db, &key).starts_with("revoked"));
    assert!(read_text(&spool).trim().is_empty());

    // A spool from before URLs were recorded: told what to do, nothing lost.
    std::fs::write(
        &spool,
        format!("{}\n", {
            let mut old = entry.clone();
            old.as_object_mut().unwrap().remove("url");
            old
        }),
    )
    .unwrap();
    keyhound()
        .args(["revoke", "--retry-pending"])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--revoke-url"));
    assert_eq!(read_text(&spool).lines().count(), 1);
}

#[test]
fn a_later_delivery_clears_the_spool() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    write(
        repo.path(),
        ".keyhound.toml",
        "[revocation]\nmax_retries = 1\ntimeout = 5\n",
    );
    let (url, _) = in_process_failing_with(&db, 2, 503, None);
    let (_, report) = scan_revoking(repo.path(), &url, SECRET);
    assert_eq!(report["findings"][0]["revocation"], "spooled");
    let spool = repo.path().join(".git/keyhound/revocations.jsonl");
    // Spooled once, however often it fails.
    let dead = dead_url();
    scan_revoking(repo.path(), &dead, SECRET);
    scan_revoking(repo.path(), &dead, SECRET);
    assert_eq!(read_text(&spool).lines().count(), 2, "one per URL");
    // The next scan gets through to the first URL: its entry is settled, the other stays.
    let (_, report) = scan_revoking(repo.path(), &url, SECRET);
    assert_eq!(report["findings"][0]["revocation"], "revoked", "{report:#}");
    let left = read_text(&spool);
    assert_eq!(left.lines().count(), 1, "{left}");
    assert!(left.contains(&dead) && !left.contains(&url), "{left}");
}

#[test]
fn revoke_urls_are_checked_where_the_client_connects() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let port = authority(&dead_url())
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let pw = format!("{}{}", "hunter", "2");
    for (url, said) in [
        (
            format!("http://0.0.0.0:{port}?@127.0.0.1/v1/revocations"),
            "refusing plain http:// to 0.0.0.0",
        ),
        (
            format!("http://bot:{pw}@127.0.0.1:{port}/v1/revocations"),
            "must not hold credentials",
        ),
    ] {
        let out = keyhound()
            .args(["scan", "--revoke-url", &url])
            .arg(repo.path())
            .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said) && !err.contains(&pw), "{url}: {err}");
    }
    assert!(!repo.path().join(".git/keyhound/revocations.jsonl").exists());
}

#[test]
fn redirects_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let (elsewhere, bodies) = in_process_recording(&db);
    let app = axum::Router::new().route(
        "/v1/revocations",
        axum::routing::post(move || {
            let to = elsewhere.clone();
            async move {
                (
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    [(axum::http::header::LOCATION, to)],
                )
            }
        }),
    );
    let url = format!("http://{}/v1/revocations", spawn_server(app));
    let (_, report) = scan_revoking(repo.path(), &url, SECRET);
    let r = report["findings"][0]["revocation"].as_str().unwrap();
    assert!(r.starts_with("failed: HTTP 307"), "{r}");
    assert!(
        bodies.lock().unwrap().is_empty(),
        "the redirect was followed"
    );
    assert!(verify(&db, &key).starts_with("valid"));
}

#[test]
fn credentials_in_scp_remotes_never_leave_the_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let pw = format!("{}{}", "s3cr3t-", "pa55");
    git(repo.path(), &["remote", "remove", "origin"]);
    let remote = format!("bot:{pw}@git.example.com:acme/app.git");
    git(repo.path(), &["remote", "add", "origin", &remote]);
    write(
        repo.path(),
        ".keyhound.toml",
        "[revocation]\nmax_retries = 0\ntimeout = 5\n",
    );
    // Delivered: the body and the receiver's audit trail.
    let (url, bodies) = in_process_recording(&db);
    let (_, report) = scan_revoking(repo.path(), &url, SECRET);
    assert_eq!(report["findings"][0]["revocation"], "revoked", "{report:#}");
    let body = String::from_utf8(bodies.lock().unwrap()[0].clone()).unwrap();
    assert!(!body.contains(&pw), "{body}");
    assert!(
        body.contains(r#""repository":"git.example.com:acme/app.git""#),
        "{body}"
    );
    let audit: Vec<String> = KeyStore::open(&db)
        .unwrap()
        .audit()
        .unwrap()
        .into_iter()
        .map(|a| a.detail)
        .collect();
    assert!(
        audit
            .iter()
            .any(|d| d.contains("git.example.com:acme/app.git")),
        "{audit:?}"
    );
    assert!(!audit.iter().any(|d| d.contains(&pw)), "{audit:?}");
    // Not delivered: the spool and the client's audit log.
    let (_, report) = scan_revoking(repo.path(), &dead_url(), SECRET);
    assert_eq!(report["findings"][0]["revocation"], "spooled");
    let state = repo.path().join(".git/keyhound");
    let spool = read_text(&state.join("revocations.jsonl"));
    assert!(
        spool.contains("git.example.com:acme/app.git") && !spool.contains(&pw),
        "{spool}"
    );
    assert!(!read_text(&state.join("revocations-audit.jsonl")).contains(&pw));
    // The dry run.
    let out = keyhound()
        .args(["scan", "--revoke-dry-run", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("token_sha256") && !err.contains(&pw), "{err}");

    // A sender that did not strip its remote: the receiver does, before its audit trail.
    let (url, _) = in_process(&db, 0);
    let other = {
        let mut store = KeyStore::open(&db).unwrap();
        let acme = Issuer::new("acme").unwrap();
        store.issue(&acme, Env::Live, &NewKey::default()).unwrap()
    };
    let mut batch: webhook::LeakBatch =
        serde_json::from_slice(&batch_for(&[other.expose()])).unwrap();
    batch.reports[0].location.repository = format!("https://bot:{pw}@git.example.com/acme/app");
    let now = keyhound_issuer::store::now();
    let (status, _) = post(
        &url,
        "msg_unstripped",
        now,
        &serde_json::to_vec(&batch).unwrap(),
        SECRET,
    );
    assert_eq!(status, 200);
    let audit = format!("{:?}", KeyStore::open(&db).unwrap().audit().unwrap());
    assert!(
        audit.contains("https://git.example.com/acme/app") && !audit.contains(&pw),
        "{audit}"
    );
}

#[test]
fn a_secret_put_in_secret_env_is_never_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let secret = format!("{}{}", "whsec_", body(7, B62, 32));
    write(
        repo.path(),
        ".keyhound.toml",
        format!("[revocation]\nsecret_env = \"{secret}\"\n"),
    );
    let out = keyhound()
        .args(["scan", "--revoke-url", &dead_url()])
        .arg(repo.path())
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a valid environment variable name"),
        "{err}"
    );
    assert!(!err.contains(&secret[6..]), "{err}");
    let out = keyhound()
        .args(["config", "check"])
        .arg(repo.path())
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("not a valid environment variable name"),
        "{all}"
    );
    assert!(!all.contains(&secret[6..]), "{all}");
}

#[test]
fn a_signed_report_cannot_forge_audit_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let (url, _) = in_process(&db, 0);
    let mut batch: webhook::LeakBatch = serde_json::from_slice(&batch_for(&[&key])).unwrap();
    batch.reports[0].location.path =
        "src/a.py\n2020-01-01T00:00:00Z  revoked        00000000  reason=forged\x1b]0;pwned\x07"
            .into();
    let now = keyhound_issuer::store::now();
    let (status, text) = post(
        &url,
        "msg_forge",
        now,
        &serde_json::to_vec(&batch).unwrap(),
        SECRET,
    );
    assert_eq!(status, 200, "{text}");
    let out = keyhound()
        .args(["key", "audit", "--db"])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    // Two rows (issued, revoked), two lines; the location is there, escaped.
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(
        out.contains("src/a.py\\n2020-01-01T00:00:00Z") && out.contains("\\x1b]0;pwned\\u{7}"),
        "{out}"
    );
    // JSON keeps the data as it is (escaped the JSON way).
    let out = keyhound()
        .args(["key", "audit", "--format", "json", "--db"])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let detail = doc["audit"][1]["detail"].as_str().unwrap();
    assert!(
        detail.contains("src/a.py\n2020") && detail.contains('\x1b'),
        "{detail:?}"
    );
}

/// Plain HTTP goes to loopback only, so it never goes through a proxy from the environment
/// (which would carry the report, unencrypted, off the machine): the report reaches the
/// receiver directly and the "proxy" sees no connection.
#[test]
fn plain_http_to_loopback_ignores_proxies_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, key, _) = store_with_key(tmp.path());
    let repo = repo_with(&key);
    let (url, bodies) = in_process_recording(&db);
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let out = keyhound()
        .args(["scan", "--format", "json", "--revoke-url", &url])
        .arg(repo.path())
        .env("KEYHOUND_WEBHOOK_SECRET", SECRET)
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["revocation"], "revoked", "{report}");
    assert_eq!(bodies.lock().unwrap().len(), 1);
    assert!(proxy.accept().is_err(), "the report went through the proxy");
}
