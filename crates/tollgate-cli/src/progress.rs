//! A spinner on stderr while the scan runs, only where a person is watching: stderr is a
//! terminal, not `--quiet`/`--no-progress`, not in CI, and only once the scan has taken longer
//! than [`DELAY`] (a fast scan should not flash a spinner).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

const DELAY: Duration = Duration::from_millis(300);

/// Whether a spinner may be shown at all.
pub fn wanted(quiet: bool, no_progress: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && !no_progress && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

struct State {
    done: AtomicBool,
    bar: Mutex<Option<ProgressBar>>,
    message: Mutex<String>,
}

/// A spinner that appears after [`DELAY`] and disappears when finished.
pub struct Progress {
    state: Option<Arc<State>>,
}

impl Progress {
    /// A spinner that never shows.
    pub fn hidden() -> Self {
        Self { state: None }
    }

    /// Start the clock on `runtime`; the spinner shows once [`DELAY`] has passed.
    pub fn start(show: bool, runtime: &tokio::runtime::Handle) -> Self {
        if !show {
            return Self::hidden();
        }
        let state = Arc::new(State {
            done: AtomicBool::new(false),
            bar: Mutex::new(None),
            message: Mutex::new("scanning".to_string()),
        });
        let delayed = state.clone();
        runtime.spawn(async move {
            tokio::time::sleep(DELAY).await;
            let mut slot = delayed.bar.lock().unwrap_or_else(|e| e.into_inner());
            // Checked under the lock, so `finish` cannot slip in between.
            if delayed.done.load(Ordering::SeqCst) {
                return;
            }
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(
                delayed
                    .message
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone(),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            *slot = Some(bar);
        });
        Self { state: Some(state) }
    }

    pub fn set_message(&self, text: impl Into<String>) {
        let Some(state) = &self.state else { return };
        let text = text.into();
        if let Some(bar) = state.bar.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            bar.set_message(text.clone());
        }
        *state.message.lock().unwrap_or_else(|e| e.into_inner()) = text;
    }

    /// Remove the spinner (before the report is printed).
    pub fn finish(&self) {
        let Some(state) = &self.state else { return };
        let mut slot = state.bar.lock().unwrap_or_else(|e| e.into_inner());
        state.done.store(true, Ordering::SeqCst);
        if let Some(bar) = slot.take() {
            bar.finish_and_clear();
        }
    }
}
