//! Start-up cost of the pieces every scan pays before reading a byte.
//!
//!     cargo run --release --example startup
use std::time::Instant;

fn main() {
    for _ in 0..3 {
        let t = Instant::now();
        let rules = keyhound::rules::builtin_rules();
        let parse = t.elapsed();
        let t = Instant::now();
        let engine = keyhound::detect::Engine::new(rules.clone()).expect("rules build");
        let build = t.elapsed();
        let t = Instant::now();
        let _small =
            keyhound::detect::Engine::for_workload(rules, keyhound::detect::Workload::Small)
                .expect("rules build");
        let small = t.elapsed();
        let t = Instant::now();
        let paths = keyhound::finding::TestPaths::default();
        let context = paths.classify("src/main.rs");
        let test_paths = t.elapsed();
        println!(
            "parse {} rules: {:.2} ms, engine build: {:.2} ms (bulk), {:.2} ms (small), test paths (compiled at the first finding): {:.2} ms ({})",
            engine.len(),
            parse.as_secs_f64() * 1e3,
            build.as_secs_f64() * 1e3,
            small.as_secs_f64() * 1e3,
            test_paths.as_secs_f64() * 1e3,
            context.as_str()
        );
    }
}
