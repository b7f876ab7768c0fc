//! Load benchmark for the revocation receiver: how many leak reports per second
//! `keyhound serve` sustains on loopback, sent by real HTTP clients in batches of 100 (as
//! `scan --revoke` sends them), and whether any revocation was lost or doubled.
//!
//!     cargo run --release -p keyhound-issuer --example revocation_load [KEYS] [CLIENT_THREADS] [BATCH]
//!
//! Defaults: 20,000 keys, 4 client threads, 100 reports per request (1: one request each). Prints reports/s and the final counts.

use keyhound_issuer::store::{KeyStore, NewKey};
use keyhound_keys::webhook::{self, LeakBatch, LeakReport, Location};
use keyhound_keys::{Env, Issuer};
use std::time::Instant;

const SECRET: &str = "load-test-secret";

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(20_000);
    let threads = args.get(1).copied().unwrap_or(4);
    let batch = args
        .get(2)
        .copied()
        .unwrap_or(webhook::MAX_BATCH)
        .clamp(1, webhook::MAX_BATCH);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let mut store = KeyStore::open(&db).unwrap();
    let acme = Issuer::new("acme").unwrap();
    let t = Instant::now();
    let digests: Vec<String> = (0..n)
        .map(|_| {
            store
                .issue(&acme, Env::Live, &NewKey::default())
                .unwrap()
                .digest
        })
        .collect();
    println!("issued {n} keys in {:.1}s", t.elapsed().as_secs_f64());
    drop(store);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server_store = KeyStore::open(&db).unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(async move {
        keyhound_issuer::serve::serve(listener, server_store, SECRET, async {
            let _ = stop_rx.await;
        })
        .await
    });
    let url = format!("http://{addr}/v1/revocations");

    let batches: Vec<Vec<LeakReport>> = digests
        .chunks(batch)
        .map(|c| {
            c.iter()
                .enumerate()
                .map(|(i, d)| LeakReport {
                    id: format!("{}-{i}", &d[..16]),
                    rule: "keyhound.key".into(),
                    token_sha256: d.clone(),
                    token_prefix: "acme_live_".into(),
                    location: Location {
                        repository: "https://git.example.com/acme/app.git".into(),
                        commit: None,
                        path: "src/config.py".into(),
                        line: 1,
                    },
                    source: "ci".into(),
                    detected_at: "2026-11-28T00:00:00Z".into(),
                    token: None,
                })
                .collect()
        })
        .collect();
    let key = webhook::signing_key(SECRET);
    let t = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(batch) = batches.get(i) else { break };
                    let body = serde_json::to_vec(&LeakBatch {
                        kind: webhook::LEAK_TYPE.into(),
                        reports: batch.clone(),
                    })
                    .unwrap();
                    let id = webhook::message_id(batch);
                    let ts = keyhound_issuer::store::now();
                    let status = agent
                        .post(&url)
                        .header("webhook-id", &id)
                        .header("webhook-timestamp", ts.to_string())
                        .header("webhook-signature", webhook::sign(&key, &id, ts, &body))
                        .send(&body[..])
                        .unwrap()
                        .status()
                        .as_u16();
                    assert_eq!(status, 200, "batch {i}");
                }
            });
        }
    });
    let elapsed = t.elapsed().as_secs_f64();
    let _ = stop_tx.send(());
    rt.block_on(server).unwrap().unwrap();

    let store = KeyStore::open(&db).unwrap();
    let revoked = store
        .list()
        .unwrap()
        .iter()
        .filter(|k| k.revoked_at.is_some())
        .count();
    let audit = store
        .audit()
        .unwrap()
        .iter()
        .filter(|a| a.event == "revoked")
        .count();
    println!(
        "{n} reports in {elapsed:.2}s, {batch} per request, {threads} client threads: {:.0} reports/s",
        n as f64 / elapsed
    );
    println!(
        "keys revoked: {revoked}/{n}; revocation audit rows: {audit} (lost: {}, doubled: {})",
        n - revoked.min(n),
        audit.saturating_sub(n)
    );
    std::process::exit(if revoked == n && audit == n { 0 } else { 1 });
}
