//! Precision of checksum confirmation at the issue's full counts:
//! 100,000 `ghp_`/`npm_`/keyhound-format strings with wrong checksums (none may be confirmed,
//! and no keyhound-format one reported at all), and 10,000 valid ones (all confirmed).
//!
//!     cargo run --release --example confirm_precision

use keyhound::detect::{Confirmation, Engine, Scratch};
use keyhound::keys::checksum::{crc32_base62, BASE62};
use keyhound::keys::{self, Env};
use keyhound::rules::builtin_rules;

fn random_base62(n: usize) -> String {
    let mut buf = vec![0u8; n * 2];
    let mut out = String::with_capacity(n);
    while out.len() < n {
        getrandom::fill(&mut buf).expect("OS random numbers");
        out.extend(
            buf.iter()
                .filter(|&&b| b < 248)
                .map(|&b| BASE62[(b % 62) as usize] as char)
                .take(n - out.len()),
        );
    }
    out
}

/// `prefix` + 30 random characters + their CRC32, or (`valid == false`) a different check.
fn third_party(prefix: &str, valid: bool) -> String {
    let random = random_base62(30);
    let good = crc32_base62(random.as_bytes());
    let check = if valid {
        String::from_utf8(good.to_vec()).unwrap()
    } else {
        loop {
            let c = random_base62(6);
            if c.as_bytes() != good {
                break c;
            }
        }
    };
    format!("{prefix}{random}{check}")
}

fn keyhound_key(valid: bool) -> String {
    let key = keys::issue("acme", Env::Live).unwrap().expose().to_string();
    if valid {
        return key;
    }
    let (head, check) = key.split_at(key.len() - 6);
    loop {
        let c = random_base62(6);
        if c != check {
            return format!("{head}{c}");
        }
    }
}

fn main() {
    let engine = Engine::new(builtin_rules()).unwrap();
    let mut scratch = Scratch::default();
    let (mut confirmed_wrong, mut keyhound_reported, mut wrong_total) = (0u64, 0u64, 0u64);
    for i in 0..100_000u64 {
        let token = match i % 3 {
            0 => third_party("ghp_", false),
            1 => third_party("npm_", false),
            _ => keyhound_key(false),
        };
        wrong_total += 1;
        let line = format!("api_key = \"{token}\"\n");
        for m in engine.scan(line.as_bytes(), &mut scratch) {
            if m.confirmation == Confirmation::Checksum {
                confirmed_wrong += 1;
            }
            if i % 3 == 2 {
                keyhound_reported += 1;
            }
        }
    }
    let (mut confirmed_valid, mut valid_total) = (0u64, 0u64);
    for i in 0..10_000u64 {
        let token = match i % 3 {
            0 => third_party("ghp_", true),
            1 => third_party("npm_", true),
            _ => keyhound_key(true),
        };
        valid_total += 1;
        let line = format!("api_key = \"{token}\"\n");
        if engine
            .scan(line.as_bytes(), &mut scratch)
            .iter()
            .any(|m| m.confirmation == Confirmation::Checksum)
        {
            confirmed_valid += 1;
        }
    }
    println!("wrong checksums: {wrong_total}, confirmed: {confirmed_wrong}, keyhound-format reported: {keyhound_reported}");
    println!("valid checksums: {valid_total}, confirmed: {confirmed_valid}");
    let ok = confirmed_wrong == 0 && keyhound_reported == 0 && confirmed_valid == valid_total;
    println!("{}", if ok { "PASS" } else { "FAIL" });
    std::process::exit(if ok { 0 } else { 1 });
}
