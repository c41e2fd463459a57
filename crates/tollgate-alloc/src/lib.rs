//! A memory budget for one Rego evaluation, covering what regorus's interpreter builds without
//! any builtin: the elements of a comprehension, sets made by `|`, `&` and `-`, array, set and
//! object literals, the values of partial rules.
//!
//! regorus 0.14 has no per-evaluation memory limit for its interpreter: its
//! `allocator-memory-limits` feature replaces the process's allocator with a patched mimalloc
//! and compares the whole process's usage with one global limit (which the other stages and
//! the other policies' threads count towards), and its per-execution budgets exist only in
//! its RVM, which the stage does not use. What it does offer is its execution timer, read
//! between units of work and able to stop an evaluation cleanly wherever it is.
//!
//! So the binary's allocator is wrapped in [`Counting`], which keeps, for the thread an
//! evaluation runs on and only while it runs ([`scope`]), the bytes allocated and not yet
//! freed. An allocator cannot fail an allocation without aborting the process, nor unwind; so
//! when an evaluation first holds more than its budget, the allocating thread sleeps until the
//! evaluation's time budget has passed, and regorus's timer stops the evaluation at its next
//! check (within 64 units of work); the evaluation is then reported as over its memory budget,
//! not as slow. What the evaluation holds is bounded by its budget plus what those last units
//! build (each bounded by the values already held and the builtins' own limits), where before
//! it was bounded only by how fast it could allocate during its whole time budget. The cost is
//! one thread-local flag read per allocation outside evaluations, and the sleep (at most the
//! time budget) once, after which the policy is stopped for the rest of the run.
//!
//! A binary that does not install [`Counting`] as its global allocator keeps the time budget
//! only; `tollgate` installs it (over mimalloc), and so do the policy stage's tests.
//!
//! This is the workspace's only unsafe code: [`GlobalAlloc`] is an unsafe trait, and setting
//! one of mimalloc's options ([`purge_freed_memory_soon`]) and turning huge pages off
//! ([`huge_pages_for`]) are calls into C.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// The global allocator `A`, counting what an evaluation in [`scope`] holds.
#[derive(Debug, Default)]
pub struct Counting<A>(pub A);

thread_local! {
    // Constant-initialized and without destructors: read from inside the allocator, they
    // must neither allocate nor register anything.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static OVER: Cell<bool> = const { Cell::new(false) };
}

/// Every allocation of the process passes here: outside an evaluation, one thread-local read.
#[inline(always)]
fn grew(bytes: usize) {
    if ACTIVE.with(Cell::get) {
        grew_in_scope(bytes);
    }
}

fn grew_in_scope(bytes: usize) {
    let live = LIVE.with(|l| {
        let live = l.get().saturating_add(bytes);
        l.set(live);
        live
    });
    if live > LIMIT.with(Cell::get) && !OVER.with(Cell::get) {
        OVER.with(|o| o.set(true));
        // Wait out the evaluation's time budget, so that regorus's timer stops it at its
        // next check (see the module's comment).
        if let Some(deadline) = DEADLINE.with(Cell::get) {
            let now = Instant::now();
            if deadline > now {
                std::thread::sleep(deadline - now);
            }
        }
    }
}

#[inline(always)]
fn shrank(bytes: usize) {
    if ACTIVE.with(Cell::get) {
        // Memory allocated before the evaluation and freed during it gives no credit.
        LIVE.with(|l| l.set(l.get().saturating_sub(bytes)));
    }
}

// SAFETY: every call is passed on unchanged to `A`; the counting around it touches only
// constant-initialized thread-locals and never allocates.
#[allow(unsafe_code)]
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

/// Run `f` (an evaluation whose time budget ends at `deadline`) on this thread with `limit`
/// bytes of memory it may hold; also says whether it held more at some point.
pub fn scope<R>(limit: usize, deadline: Instant, f: impl FnOnce() -> R) -> (R, bool) {
    // A scope inside a scope (a builtin evaluating through a second engine) counts towards
    // the outer one.
    if ACTIVE.with(Cell::get) {
        return (f(), false);
    }
    LIVE.with(|l| l.set(0));
    LIMIT.with(|l| l.set(limit));
    // A little past the deadline, so that regorus's own reading of the clock is past it too.
    DEADLINE.with(|d| d.set(Some(deadline + Duration::from_millis(2))));
    OVER.with(|o| o.set(false));
    ACTIVE.with(|a| a.set(true));
    let out = f();
    ACTIVE.with(|a| a.set(false));
    (out, OVER.with(Cell::get))
}

/// mimalloc's number for its `purge_delay` option in the bundled v3 (`mi_option_purge_delay`
/// in `mimalloc.h`; `libmimalloc-sys` declares no constant for it). A test checks it against
/// the option's documented default, so a renumbering in a later mimalloc is caught.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long, in milliseconds, mimalloc keeps memory freed by the program before giving it back
/// to the operating system, when the user has not chosen (`MIMALLOC_PURGE_DELAY`).
///
/// mimalloc's default is a second, which is about as long as a large scan runs: everything a
/// scan frees (each document once mapped, the cloud model once the stages end) stayed
/// resident to the end and counted in the peak. 10 ms gives it back while the scan goes on, for
/// about the same CPU time (figures in `crates/tollgate-cli/README.md`); 0 costs more system
/// time in `madvise` calls.
pub const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Apply [`PURGE_DELAY_MS`] to mimalloc, unless `MIMALLOC_PURGE_DELAY` is set in the
/// environment (then mimalloc already read it). Call it first thing in `main`, before any
/// other thread starts: mimalloc's options are not meant to be set while threads allocate.
/// For a binary whose global allocator is mimalloc; elsewhere it changes nothing.
pub fn purge_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: a plain store into mimalloc's option table, made before other threads exist.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
    }
}

/// Inputs of at least this many bytes are scanned without transparent huge pages
/// ([`huge_pages_for`]).
pub const HUGE_PAGES_BELOW_BYTES: u64 = 10 << 20;

/// Choose, once the size of the input is known (`input_bytes`, the scanned files together),
/// whether the rest of the run's memory may come in transparent huge pages. mimalloc marks
/// its arenas for them (`MADV_HUGEPAGE`); a small scan then takes a fifth of the page faults
/// (2 MiB zeroed at once instead of 4 KiB), while a large one holds 30-40 MiB more at its peak,
/// as a huge page counts whole as soon as one byte of it is touched and what mimalloc gives
/// back splits it. So from [`HUGE_PAGES_BELOW_BYTES`] on, the process opts out of them
/// (`PR_SET_THP_DISABLE`, which applies to the faults from then on; what is mapped stays).
/// Returns whether huge pages stay allowed. `MIMALLOC_ALLOW_THP` in the environment decides
/// instead when set (mimalloc read it at start). Elsewhere than on Linux, nothing to choose.
pub fn huge_pages_for(input_bytes: u64) -> bool {
    if let Some(value) = std::env::var_os("MIMALLOC_ALLOW_THP") {
        return value != "0";
    }
    if input_bytes < HUGE_PAGES_BELOW_BYTES {
        return true;
    }
    disable_huge_pages();
    false
}

#[cfg(target_os = "linux")]
fn disable_huge_pages() {
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` sets one flag of the process and reads
    // no memory; its failure (an old kernel) leaves huge pages allowed.
    #[allow(unsafe_code)]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn disable_huge_pages() {}

#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: Counting<std::alloc::System> = Counting(std::alloc::System);

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is the bundled mimalloc's: its documented default is a second, and
    /// setting it is read back.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads of mimalloc's option table; no other test touches it.
        #[allow(unsafe_code)]
        let read = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(read(), 1000, "mimalloc's default purge delay");
        }
        purge_freed_memory_soon();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(read(), PURGE_DELAY_MS);
        }
    }

    /// A small input keeps huge pages; a large one turns them off for the process.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_large_input_turns_huge_pages_off() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            return;
        }
        assert!(huge_pages_for(HUGE_PAGES_BELOW_BYTES - 1));
        assert!(!huge_pages_for(HUGE_PAGES_BELOW_BYTES));
        // SAFETY: reads one flag of the process.
        #[allow(unsafe_code)]
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }

    #[test]
    fn what_a_scope_holds_is_counted_and_what_it_frees_is_not() {
        let far = Instant::now() + Duration::from_secs(60);
        let (kept, over) = scope(1 << 20, far, || vec![0u8; 512 * 1024]);
        assert!(!over);
        // Allocated and freed again and again: never held at once.
        let ((), over) = scope(1 << 20, far, || {
            for _ in 0..64 {
                drop(std::hint::black_box(vec![0u8; 512 * 1024]));
            }
        });
        assert!(!over);
        drop(kept);
        // Held at once: over, and the sleep is already past its deadline.
        let past = Instant::now();
        let (held, over) = scope(1 << 20, past, || {
            (0..4)
                .map(|_| std::hint::black_box(vec![0u8; 512 * 1024]))
                .collect::<Vec<_>>()
        });
        assert!(over);
        assert_eq!(held.len(), 4);
    }
}
