//! How fast the blobs a history scan needs can be read, in a few orders (one thread).
//!
//!     cargo run --release --example history_read -- /path/to/repo
use keyhound::source::git;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let place = git::Place::find(std::path::Path::new(&path));
    let repo = place.repository().expect("repository");
    let t = Instant::now();
    let store = git::BlobStore::open(repo.path()).unwrap();
    let plan = git::plan_history(
        repo,
        &store,
        &git::HistoryOptions::default(),
        &|_| {},
        &|_| false,
    )
    .unwrap();
    println!(
        "plan: {} commits, {} blobs, {:?}",
        plan.commits,
        plan.blobs.len(),
        t.elapsed()
    );
    if std::env::var_os("PLAN_ONLY").is_some() {
        return;
    }
    let oids: Vec<git2::Oid> = plan.blobs.iter().map(|b| b.oid).collect();
    let mut rev = oids.clone();
    rev.reverse();
    let mut sorted = oids.clone();
    sorted.sort();
    for (name, order) in [
        ("walk order", &oids),
        ("reversed", &rev),
        ("by id", &sorted),
    ] {
        let repo = git2::Repository::open(repo.path()).unwrap();
        let odb = repo.odb().unwrap();
        let t = Instant::now();
        let mut bytes = 0usize;
        for &oid in order.iter() {
            bytes += odb.read(oid).unwrap().data().len();
        }
        let el = t.elapsed().as_secs_f64();
        println!(
            "{name}: {:.0} MB in {el:.2}s = {:.0} MB/s",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / el
        );
    }
}
