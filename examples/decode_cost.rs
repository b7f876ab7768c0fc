//! What decoding costs on its own: `decode::decode` over every file under DIR (read into
//! memory first), with the default limits. Prints MB/s, regions found and bytes decoded,
//! and the chains seen most.
//!
//!     cargo run --release --example decode_cost -- ~/.cargo/registry/src

use keyhound::decode::{chain_name, decode, Limits};
use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(&dir).build().flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(data) = std::fs::read(entry.path()) {
                if data.len() <= 10 << 20 && !keyhound::source::is_binary(&data) {
                    files.push(data);
                }
            }
        }
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    let limits = Limits::default();
    let started = Instant::now();
    let (mut regions, mut decoded, mut capped) = (0usize, 0usize, 0usize);
    let mut chains: HashMap<String, usize> = HashMap::new();
    for f in &files {
        let d = decode(f, &limits);
        regions += d.regions.len();
        capped += usize::from(d.capped);
        for r in &d.regions {
            decoded += r.bytes.len();
            *chains.entry(chain_name(&r.chain)).or_default() += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MB in {secs:.2} s: {:.0} MB/s; {regions} regions, {:.1} MB decoded, {capped} files capped",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        decoded as f64 / 1e6
    );
    let mut top: Vec<_> = chains.into_iter().collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    let mut out = std::io::stdout().lock();
    for (chain, n) in top.into_iter().take(8) {
        if writeln!(out, "  {chain}: {n}").is_err() {
            break; // a closed pipe (`| head`)
        }
    }
}
