//! Keyword selectivity: how often each rule keyword fires per MB of a corpus.
//!
//!     cargo run --release --example keyword_hits -- ~/.cargo/registry/src [TOP]
//!     cargo run --release --example keyword_hits -- --bench /tmp/corpora/synthetic
//!     KEYHOUND_EXTRA_RULES=new.toml cargo run --release --example keyword_hits -- DIR 100000
//!
//! `KEYHOUND_EXTRA_RULES` (rule files separated by `:`) adds rules not yet built in, to
//! measure a new rule's keywords before it lands.
//!
//! Keywords that fire everywhere make every scan slow; this finds them. `--bench` times the
//! engine's keyword search against aho-corasick's own overlapping search over the same
//! keywords (one thread, files in memory, at most 512 MB of them).

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use keyhound::detect::Engine;
use keyhound::rules::builtin_rules;
use std::time::Instant;

fn files(root: &str, limit: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut total = 0;
    for entry in ignore::WalkBuilder::new(root).build().flatten() {
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
        out.push(data);
        if total >= limit {
            break;
        }
    }
    out
}

fn bench(engine: &Engine, root: &str) {
    let corpus = files(root, 512 << 20);
    let mb = corpus.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let n = engine.keyword_hits(b"").len();
    let keywords: Vec<&str> = (0..n).map(|i| engine.keyword(i)).collect();
    let crate_dfa = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&keywords)
        .expect("keywords build");
    for round in 0..3 {
        let t = Instant::now();
        let ours: usize = corpus
            .iter()
            .map(|f| engine.keyword_hits(f).iter().sum::<usize>())
            .sum();
        let ours_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let theirs: usize = corpus
            .iter()
            .map(|f| crate_dfa.find_overlapping_iter(f).count())
            .sum();
        let theirs_s = t.elapsed().as_secs_f64();
        assert_eq!(ours, theirs, "both searches must find the same hits");
        println!(
            "round {round}: {mb:.0} MB, {ours} hits; engine {:.0} MB/s, aho-corasick find_overlapping_iter {:.0} MB/s",
            mb / ours_s,
            mb / theirs_s
        );
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rules = builtin_rules();
    for file in std::env::var("KEYHOUND_EXTRA_RULES")
        .unwrap_or_default()
        .split(':')
        .filter(|f| !f.is_empty())
    {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let extra = keyhound::rules::parse_rule_file(file, &text).unwrap_or_else(|e| panic!("{e}"));
        rules.extend(extra);
    }
    let engine = Engine::new(rules).expect("rules build");
    if args.first().is_some_and(|a| a == "--bench") {
        args.remove(0);
        return bench(&engine, args.first().map_or(".", String::as_str));
    }
    let mut args = args.into_iter();
    let root = args.next().unwrap_or_else(|| ".".into());
    let top: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(25);
    let mut totals: Vec<usize> = Vec::new();
    let mut bytes = 0u64;
    for data in files(&root, usize::MAX) {
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
