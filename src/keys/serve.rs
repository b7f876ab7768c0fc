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

use super::store::{now, KeyStore, RevokeOutcome};
use crate::revoke::webhook::{self, BatchResult, LeakBatch, ReportResult};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;

struct AppState {
    store: Mutex<KeyStore>,
    key: Vec<u8>,
}

/// Writes one structured log line (JSON) to standard error.
fn log(event: &str, fields: serde_json::Value) {
    let mut line = serde_json::json!({
        "time": crate::report::rfc3339(now()),
        "event": event,
    });
    if let (Some(l), serde_json::Value::Object(f)) = (line.as_object_mut(), fields) {
        l.extend(f);
    }
    eprintln!("{line}");
}

fn reject(status: StatusCode, why: &str) -> Response {
    log(
        "rejected",
        serde_json::json!({ "status": status.as_u16(), "reason": why }),
    );
    (status, Json(serde_json::json!({ "error": why }))).into_response()
}

/// The routes, over an opened store; `secret` is the signing secret.
pub fn router(store: KeyStore, secret: &str) -> Router {
    let state = Arc::new(AppState {
        store: Mutex::new(store),
        key: webhook::signing_key(secret),
    });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/revocations", post(revocations))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` completes; requests in flight finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: KeyStore,
    secret: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    log(
        "listening",
        serde_json::json!({ "address": addr.map(|a| a.to_string()) }),
    );
    axum::serve(listener, router(store, secret))
        .with_graceful_shutdown(shutdown)
        .await?;
    log("stopped", serde_json::json!({}));
    Ok(())
}

async fn revocations(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
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
                    crate::revoke::strip_credentials(&l.repository),
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
        Ok(Err(e)) => {
            log("error", serde_json::json!({ "message": e.to_string() }));
            return (StatusCode::INTERNAL_SERVER_ERROR, "store error").into_response();
        }
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
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
