//! The receiving end of the revocation webhook: `keyhound serve`.
//!
//! `POST /v1/revocations` takes a signed `keyhound.leak.v1` message (Standard Webhooks):
//! the signature is checked in constant time, timestamps more than five minutes off and
//! replayed message ids are refused, bodies over 1 MiB get 413, and each reported key found
//! by its digest is revoked (reason `leaked`, location in the audit trail). The answer lists,
//! per report, `revoked`, `already-revoked` or `unknown-key`. `GET /healthz` answers `ok`.
//!
//! One message is one transaction: a request that fails changes nothing and can be retried.
//! Logs are JSON lines on standard error, never holding a key or the signing secret.
//!
//! Slow or idle clients cannot hold the server: a connection has [`ServeLimits`]'s header
//! timeout to send each request's headers (counted from when it opens or its previous
//! response was sent, so it is the idle keep-alive timeout too), its body timeout for the
//! body, and at most `max_connections` connections are served at once (more wait, unaccepted,
//! until one closes).

use crate::store::{KeyStore, RevokeOutcome};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt as _;
use keyhound_keys::time::{now, rfc3339};
use keyhound_keys::webhook::{self, BatchResult, LeakBatch, ReportResult};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;

/// How long slow clients may take, and how many connections are served at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Time for a request's headers, from the connection's start or the end of its previous
    /// response (so an idle keep-alive connection is closed after it too).
    pub header_timeout: Duration,
    /// Time for a request's whole body once its headers are in.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue.
    pub max_connections: usize,
}

/// `serve --header-timeout`'s default, in seconds.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// `serve --body-timeout`'s default, in seconds.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 30;
/// `serve --max-connections`'s default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 128;

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

struct AppState {
    store: Mutex<KeyStore>,
    key: Vec<u8>,
    body_timeout: Duration,
}

/// Writes one structured log line (JSON) to standard error.
pub(crate) fn log(event: &str, fields: serde_json::Value) {
    let mut line = serde_json::json!({
        "time": rfc3339(now()),
        "event": event,
    });
    if let (Some(l), serde_json::Value::Object(f)) = (line.as_object_mut(), fields) {
        l.extend(f);
    }
    eprintln!("{line}");
}

/// A log line of event `warning`: something the operator should fix, that does not stop
/// the server.
pub fn warn(message: &str) {
    log("warning", serde_json::json!({ "message": message }));
}

fn reject(status: StatusCode, why: &str) -> Response {
    log(
        "rejected",
        serde_json::json!({ "status": status.as_u16(), "reason": why }),
    );
    (status, Json(serde_json::json!({ "error": why }))).into_response()
}

/// [`reject`], closing the connection after the answer (the rest of the body is not read).
fn reject_and_close(status: StatusCode, why: &str) -> Response {
    let mut resp = reject(status, why);
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// An internal failure: logged with `detail`, answered without it.
fn internal(detail: &str) -> Response {
    log("error", serde_json::json!({ "message": detail }));
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(serde_json::json!({ "error": "internal error" })),
    )
        .into_response()
}

/// The routes, over an opened store; `secret` is the signing secret. Default limits.
pub fn router(store: KeyStore, secret: &str) -> Router {
    router_with(store, secret, &ServeLimits::default())
}

/// The routes, reading request bodies within `limits.body_timeout`.
pub fn router_with(store: KeyStore, secret: &str, limits: &ServeLimits) -> Router {
    let state = Arc::new(AppState {
        store: Mutex::new(store),
        key: webhook::signing_key(secret),
        body_timeout: limits.body_timeout,
    });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/revocations", post(revocations))
        .with_state(state)
}

/// Why [`run`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start the server runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Server(#[source] std::io::Error),
}

/// Binds `address` (`HOST:PORT`; a name is resolved and the first address that binds is
/// used), warns in the log when that is beyond loopback, and serves until SIGINT or SIGTERM:
/// `keyhound serve` on its own runtime, for callers that are not async.
pub fn run(
    address: &str,
    store: KeyStore,
    secret: &str,
    limits: ServeLimits,
) -> Result<(), RunError> {
    let rt = tokio::runtime::Runtime::new().map_err(RunError::Runtime)?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| RunError::Listen {
                address: address.to_string(),
                source,
            })?;
        if let Some(w) = listener.local_addr().ok().and_then(listen_warning) {
            warn(&w);
        }
        serve_with(listener, store, secret, limits, shutdown_signal())
            .await
            .map_err(RunError::Server)
    })
}

/// Serves on `listener` with the default limits until `shutdown` completes; requests in
/// flight finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: KeyStore,
    secret: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, store, secret, ServeLimits::default(), shutdown).await
}

/// Serves on `listener` within `limits` until `shutdown` completes: then no connection is
/// accepted, idle ones are closed and requests in flight finish (each within the limits).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    store: KeyStore,
    secret: &str,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    log(
        "listening",
        serde_json::json!({
            "address": addr.map(|a| a.to_string()),
            "header_timeout_ms": limits.header_timeout.as_millis() as u64,
            "body_timeout_ms": limits.body_timeout.as_millis() as u64,
            "max_connections": limits.max_connections,
        }),
    );
    let app = router_with(store, secret, &limits);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut full_logged: Option<std::time::Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors (or another transient failure): wait a little
                    // rather than spin; a connection reset before accept needs nothing.
                    if e.kind() != std::io::ErrorKind::ConnectionAborted {
                        log("accept-error", serde_json::json!({ "message": e.to_string() }));
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        if slots.available_permits() == 0
            && full_logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(60))
        {
            log(
                "connection-limit",
                serde_json::json!({ "max_connections": limits.max_connections }),
            );
            full_logged = Some(std::time::Instant::now());
        }
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                if e.is_timeout() {
                    log(
                        "connection-timeout",
                        serde_json::json!({ "waiting_for": "request headers" }),
                    );
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    // Every connection ends within the limits; the cap is a safety net.
    let cap = limits.header_timeout + limits.body_timeout + Duration::from_secs(5);
    if tokio::time::timeout(cap, graceful.shutdown())
        .await
        .is_err()
    {
        log(
            "error",
            serde_json::json!({ "message": "connections still open at shutdown were closed" }),
        );
    }
    log("stopped", serde_json::json!({}));
    Ok(())
}

/// The body, read within `timeout` and [`MAX_BODY`] (413 over it, 408 when too slow).
async fn read_body(headers: &HeaderMap, body: Body, timeout: Duration) -> Result<Bytes, Response> {
    let too_large = || reject_and_close(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB");
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(
        timeout,
        http_body_util::Limited::new(body, MAX_BODY).collect(),
    )
    .await
    {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(reject_and_close(
            StatusCode::BAD_REQUEST,
            "the request body could not be read",
        )),
        Err(_) => Err(reject_and_close(
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time",
        )),
    }
}

async fn revocations(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(id), Some(ts), Some(sig)) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    ) else {
        return reject(
            StatusCode::BAD_REQUEST,
            "missing webhook-id, webhook-timestamp or webhook-signature",
        );
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return reject(StatusCode::BAD_REQUEST, "webhook-timestamp is not a number");
    };
    let body = match read_body(&headers, body, state.body_timeout).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    // The signature first: nothing about the message is trusted before it checks out.
    if !webhook::verify(&state.key, id, ts, &body, sig) {
        return reject(StatusCode::UNAUTHORIZED, "bad signature");
    }
    if (now() - ts).abs() > webhook::TOLERANCE_SECS {
        return reject(
            StatusCode::BAD_REQUEST,
            "timestamp outside the allowed window",
        );
    }
    let batch: LeakBatch = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            // Position only: serde's message can quote the offending value, which may be a
            // key (a token in the wrong field), and this goes to the log and the response.
            return reject(
                StatusCode::BAD_REQUEST,
                &format!(
                    "invalid body ({:?} error at line {}, column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            );
        }
    };
    if batch.kind != webhook::LEAK_TYPE {
        return reject(StatusCode::BAD_REQUEST, "unknown message type");
    }
    let reports: Vec<(String, String)> = batch
        .reports
        .iter()
        .map(|r| {
            let l = &r.location;
            (
                r.token_sha256.to_ascii_lowercase(),
                format!(
                    "{}@{}:{}:{}",
                    // A sender that did not strip its remote's credentials: they stop here.
                    webhook::strip_credentials(&l.repository),
                    l.commit.as_deref().unwrap_or("-"),
                    l.path,
                    l.line
                ),
            )
        })
        .collect();
    let id_owned = id.to_string();
    let state2 = state.clone();
    // SQLite work off the async workers; one message, one transaction.
    let applied = tokio::task::spawn_blocking(move || {
        let mut store = state2.store.lock().unwrap_or_else(|p| p.into_inner());
        // Ids are kept twice the timestamp window: any replay that passes the timestamp
        // check is still remembered.
        store.apply_revocations(&id_owned, 2 * webhook::TOLERANCE_SECS, &reports)
    })
    .await;
    let outcomes = match applied {
        Ok(Ok(Some(o))) => o,
        Ok(Ok(None)) => return reject(StatusCode::CONFLICT, "replayed message id"),
        Ok(Err(e)) => return internal(&e.to_string()),
        Err(_) => return internal("the store task failed"),
    };
    let count = |o: RevokeOutcome| outcomes.iter().filter(|&&x| x == o).count();
    log(
        "revocations",
        serde_json::json!({
            "message_id": id,
            "reports": outcomes.len(),
            "revoked": count(RevokeOutcome::Revoked),
            "already_revoked": count(RevokeOutcome::AlreadyRevoked),
            "unknown_key": count(RevokeOutcome::UnknownKey),
        }),
    );
    let results = batch
        .reports
        .iter()
        .zip(&outcomes)
        .map(|(r, o)| ReportResult {
            id: r.id.clone(),
            outcome: o.as_str().to_string(),
        })
        .collect();
    (StatusCode::OK, Json(BatchResult { results })).into_response()
}

/// The warning for listening on `addr`, when it is not loopback: plain HTTP there is
/// readable by the network, and the signing secret is all that stands between it and every
/// key in the store.
pub fn listen_warning(addr: SocketAddr) -> Option<String> {
    let ip = addr.ip();
    let loopback = ip.is_loopback()
        || matches!(ip, std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
    if loopback {
        return None;
    }
    let which = if ip.is_unspecified() {
        "every network interface".to_string()
    } else {
        format!("{ip}, which is not loopback")
    };
    Some(format!(
        "listening on {which} over plain HTTP: put a TLS-terminating proxy in front and listen on \
         loopback (127.0.0.1) behind it"
    ))
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_beyond_loopback_is_warned_about() {
        let w = |a: &str| listen_warning(a.parse().unwrap());
        assert_eq!(w("127.0.0.1:8787"), None);
        assert_eq!(w("127.3.2.1:1"), None);
        assert_eq!(w("[::1]:8787"), None);
        assert_eq!(w("[::ffff:127.0.0.1]:8787"), None);
        assert!(w("0.0.0.0:8787")
            .unwrap()
            .contains("every network interface"));
        assert!(w("[::]:8787").unwrap().contains("every network interface"));
        let lan = w("192.168.1.20:8787").unwrap();
        assert!(lan.contains("192.168.1.20") && lan.contains("TLS"), "{lan}");
    }

    fn post_with(length: Option<usize>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(n) = length {
            h.insert(header::CONTENT_LENGTH, n.to_string().parse().unwrap());
        }
        h
    }

    async fn answer(resp: Response) -> (u16, bool, serde_json::Value) {
        let status = resp.status().as_u16();
        let closes = resp
            .headers()
            .get(header::CONNECTION)
            .is_some_and(|v| v == "close");
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, closes, serde_json::from_slice(&body).unwrap())
    }

    /// A body whose bytes never come.
    struct Never;

    impl axum::body::HttpBody for Never {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }

    #[tokio::test]
    async fn bodies_too_large_or_too_slow_get_json_and_close() {
        let long = Duration::from_secs(60);
        // Declared too large: refused before reading.
        let (status, closes, json) = answer(
            read_body(&post_with(Some(MAX_BODY + 1)), Body::empty(), long)
                .await
                .unwrap_err(),
        )
        .await;
        assert_eq!((status, closes), (413, true));
        assert_eq!(json["error"], "body over 1 MiB");
        // Streamed (chunked, no length) past the limit.
        let big = Body::from(vec![b' '; MAX_BODY + 1]);
        let (status, _, json) =
            answer(read_body(&post_with(None), big, long).await.unwrap_err()).await;
        assert_eq!(status, 413);
        assert_eq!(json["error"], "body over 1 MiB");
        // Never arriving.
        let (status, closes, json) = answer(
            read_body(
                &post_with(Some(10)),
                Body::new(Never),
                Duration::from_millis(50),
            )
            .await
            .unwrap_err(),
        )
        .await;
        assert_eq!((status, closes), (408, true));
        assert!(
            json["error"].as_str().unwrap().contains("in time"),
            "{json}"
        );
        // Exactly the limit is fine.
        let ok = read_body(
            &post_with(Some(MAX_BODY)),
            Body::from(vec![b'x'; MAX_BODY]),
            long,
        )
        .await
        .unwrap();
        assert_eq!(ok.len(), MAX_BODY);
    }
}
