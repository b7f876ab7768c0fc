//! Runs rules' own examples against a compiled engine: every example must be found by its
//! rule, no negative example may be (a match the value classifier doubts, reported only at
//! `low` confidence, counts as not found).

use crate::detect::{Engine, Scratch};

/// One failed example.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    pub rule_id: String,
    pub message: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule `{}`: {}", self.rule_id, self.message)
    }
}

/// Checks every rule of `engine`; returns the failures (empty when all pass).
pub fn check_examples(engine: &Engine) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let mut scratch = Scratch::default();
    for (ri, rule) in engine.rules().enumerate() {
        let fail = |message: String| ExampleFailure {
            rule_id: rule.id.clone(),
            message,
        };
        if let Err(e) = engine.validate_one(ri) {
            failures.push(fail(e.to_string()));
            continue;
        }
        if rule.examples.is_empty() {
            failures.push(fail("has no examples".into()));
        }
        if rule.negative_examples.is_empty() {
            failures.push(fail("has no negative_examples".into()));
        }
        for (n, ex) in rule.examples.iter().enumerate() {
            let found = engine.scan(ex.as_bytes(), &mut scratch);
            if let Some(doubt) = found
                .iter()
                .filter(|m| m.rule == ri)
                .find_map(|m| m.doubt)
                .filter(|_| !found.iter().any(|m| m.rule == ri && m.doubt.is_none()))
            {
                failures.push(fail(format!(
                    "example #{} is doubted by the value classifier ({}): it would be reported only with --confidence low",
                    n + 1,
                    doubt.as_str()
                )));
            } else if !found.iter().any(|m| m.rule == ri && m.doubt.is_none()) {
                let by: Vec<&str> = found
                    .iter()
                    .map(|m| engine.rule(m.rule).id.as_str())
                    .collect();
                failures.push(fail(format!(
                    "example #{} is not found by this rule{}",
                    n + 1,
                    if by.is_empty() {
                        String::new()
                    } else {
                        format!(" (reported as {})", by.join(", "))
                    }
                )));
            }
        }
        for (n, ex) in rule.negative_examples.iter().enumerate() {
            if engine
                .scan(ex.as_bytes(), &mut scratch)
                .iter()
                .any(|m| m.rule == ri && m.doubt.is_none())
            {
                failures.push(fail(format!(
                    "negative example #{} is reported by this rule",
                    n + 1
                )));
            }
        }
    }
    failures
}
