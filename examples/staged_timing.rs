//! Where a `--staged` scan spends its time, step by step, on the repository at ARG.
//!
//!     cargo run --release --example staged_timing -- /tmp/keyhound-bench/staged-repo
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    if std::env::var_os("NO_VERIFY").is_some() {
        git2::opts::strict_hash_verification(false);
    }
    let t = Instant::now();
    let repo = git2::Repository::discover(&path).expect("repository");
    println!("open: {:?}", t.elapsed());
    let t = Instant::now();
    let index = repo.index().expect("index");
    println!("index ({} entries): {:?}", index.len(), t.elapsed());
    let t = Instant::now();
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    println!("head tree: {:?}", t.elapsed());
    let t = Instant::now();
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0).ignore_submodules(true);
    let mut diff = repo
        .diff_tree_to_index(Some(&tree), Some(&index), Some(&mut opts))
        .unwrap();
    println!(
        "diff tree→index ({} deltas): {:?}",
        diff.deltas().len(),
        t.elapsed()
    );
    let t = Instant::now();
    let mut find = git2::DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find)).unwrap();
    println!("find renames: {:?}", t.elapsed());
    let t = Instant::now();
    let staged = keyhound::source::git::staged(&repo, 10 << 20).unwrap();
    println!(
        "whole staged(): {:?} ({} files)",
        t.elapsed(),
        staged.files.len()
    );
}
