//! Keyword selectivity: how often each rule keyword fires per MB of a corpus.
//!
//!     cargo run --release --example keyword_hits -- ~/.cargo/registry/src [TOP]
//!
//! Keywords that fire everywhere make every scan slow; this finds them.

use keyhound::detect::Engine;
use keyhound::rules::builtin_rules;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| ".".into());
    let top: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(25);
    let engine = Engine::new(builtin_rules()).expect("rules build");
    let mut totals: Vec<usize> = Vec::new();
    let mut bytes = 0u64;
    for entry in ignore::WalkBuilder::new(&root).build().flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(data) = std::fs::read(entry.path()) else {
            continue;
        };
        if keyhound::source::is_binary(&data) || data.len() > 10 << 20 {
            continue;
        }
        bytes += data.len() as u64;
        let counts = engine.keyword_hits(&data);
        if totals.is_empty() {
            totals = vec![0; counts.len()];
        }
        for (t, c) in totals.iter_mut().zip(counts) {
            *t += c;
        }
    }
    let mb = bytes as f64 / 1e6;
    let all: usize = totals.iter().sum();
    println!(
        "{mb:.1} MB, {all} keyword hits, {:.1} hits/MB",
        all as f64 / mb
    );
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(totals[i]));
    for &i in order.iter().take(top) {
        println!(
            "{:>10.2}/MB  {:>5.1}%  {}",
            totals[i] as f64 / mb,
            100.0 * totals[i] as f64 / all.max(1) as f64,
            engine.keyword(i)
        );
    }
}
