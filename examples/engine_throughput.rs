//! The detector alone, one thread, files in memory: MB/s and matches, five rounds.
//!
//!     cargo run --release --example engine_throughput -- /tmp/corpora/synthetic [MB]
//!
//! Whole-process numbers (`scripts/bench.sh`) move ±20% with the machine's other load and
//! the page cache; this isolates the engine, so a change to it can be compared run to run.

use keyhound::detect::{Engine, Scratch};
use keyhound::rules::builtin_rules;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| ".".into());
    let limit: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(256);
    let mut corpus = Vec::new();
    let mut total = 0;
    for entry in ignore::WalkBuilder::new(&root).build().flatten() {
        if total >= limit << 20 {
            break;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(data) = std::fs::read(entry.path()) else {
            continue;
        };
        if keyhound::source::is_binary(&data) || data.len() > 10 << 20 {
            continue;
        }
        total += data.len();
        corpus.push(data);
    }
    let mb = total as f64 / 1e6;
    let engine = Engine::new(builtin_rules()).expect("rules build");
    let mut scratch = Scratch::default();
    let mut best = f64::MAX;
    for round in 0..5 {
        let t = Instant::now();
        let matches: usize = corpus
            .iter()
            .map(|f| engine.scan(f, &mut scratch).len())
            .sum();
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        println!(
            "round {round}: {mb:.0} MB in {s:.3} s, {:.0} MB/s, {matches} matches",
            mb / s
        );
    }
    println!("best: {:.0} MB/s", mb / best);
}
