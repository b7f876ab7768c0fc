//! The history scan's progress on a terminal (indicatif): a spinner while the history is
//! walked, then a bar of objects read.

use indicatif::{ProgressBar, ProgressStyle};
use keyhound::scan::Progress;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Bars on standard error.
pub(super) struct Bars {
    walking: ProgressBar,
    reading: OnceLock<(ProgressBar, u64)>,
    read: AtomicU64,
}

impl Bars {
    pub fn new() -> Bars {
        Bars {
            walking: ProgressBar::new_spinner(),
            reading: OnceLock::new(),
            read: AtomicU64::new(0),
        }
    }
}

impl Progress for Bars {
    fn walking(&self, commits: u64) {
        self.walking
            .set_message(format!("walking history: {commits} commits"));
        self.walking.tick();
    }

    fn reading(&self, blobs: u64, commits: u64) {
        self.walking.finish_and_clear();
        let bar = ProgressBar::new(blobs);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {pos}/{len} blobs from {msg} [{elapsed}] {wide_bar}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("{commits} commits"));
        let _ = self.reading.set((bar, commits));
    }

    fn read_one(&self, bytes: u64) {
        let Some((bar, commits)) = self.reading.get() else {
            return;
        };
        bar.inc(1);
        // The message is redrawn every 64 objects, not for each.
        if self.read.fetch_add(1, Ordering::Relaxed).is_multiple_of(64) {
            bar.set_message(format!(
                "{commits} commits, {}",
                keyhound::util::human_bytes(bytes)
            ));
        }
    }

    fn done(&self) {
        self.walking.finish_and_clear();
        if let Some((bar, _)) = self.reading.get() {
            bar.finish_and_clear();
        }
    }
}
