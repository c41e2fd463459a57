//! A time budget for the work on one file. A hostile file can be slow to evaluate in ways no
//! size cap foresees; under a budget it costs itself, not the stage and every other file.
//!
//! [`run`] sets a deadline for the current thread; long-running loops call [`check`], which
//! reads the clock every few hundred calls and, past the deadline, unwinds back to [`run`]
//! (with `resume_unwind`, so no panic message is printed). The work's partial results are
//! dropped by the caller and the file is reported as not checked.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Calls to [`check`] between two reads of the clock.
const CHECK_EVERY: u32 = 256;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

/// The unwind payload of work stopped by its budget.
#[derive(Debug)]
pub struct Exceeded;

/// Why [`run`] did not return the work's result.
pub enum Stopped {
    /// The budget ran out.
    Exceeded,
    /// The work panicked (a bug tripped by the input); the payload is dropped.
    Panicked,
}

/// Run `work` under a deadline `budget` from now, catching its panics. Nested calls keep the
/// earlier of the two deadlines.
pub fn run<T>(budget: Duration, work: impl FnOnce() -> T) -> Result<T, Stopped> {
    let outer = DEADLINE.with(Cell::get);
    let deadline = Instant::now() + budget;
    DEADLINE.with(|d| d.set(Some(outer.map_or(deadline, |o| o.min(deadline)))));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    DEADLINE.with(|d| d.set(outer));
    result.map_err(|payload| {
        if payload.is::<Exceeded>() {
            Stopped::Exceeded
        } else {
            Stopped::Panicked
        }
    })
}

/// Unwind to the enclosing [`run`] when its deadline has passed. Cheap: the clock is read
/// once every [`CHECK_EVERY`] calls, and never outside [`run`].
pub fn check() {
    let calls = CALLS.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    if calls % CHECK_EVERY != 0 {
        return;
    }
    if DEADLINE
        .with(Cell::get)
        .is_some_and(|deadline| Instant::now() >= deadline)
    {
        std::panic::resume_unwind(Box::new(Exceeded));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_past_its_budget_is_stopped_and_the_deadline_restored() {
        let result = run(Duration::from_millis(20), || loop {
            check();
        });
        assert!(matches!(result, Err(Stopped::Exceeded)));
        // Outside `run` nothing is ever stopped.
        for _ in 0..10 * CHECK_EVERY {
            check();
        }
        assert!(matches!(run(Duration::from_secs(60), || 7), Ok(7)));
        let panicked = run(Duration::from_secs(60), || -> u32 { panic!("bug") });
        assert!(matches!(panicked, Err(Stopped::Panicked)));
    }
}
