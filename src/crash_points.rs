//! Deterministic crash points, for the crash harness only (`tests/crash_points.rs`).
//!
//! Built with the `crash-points` feature, the program counts the moments where a crash could
//! hurt: every row SQLite writes, every commit about to happen, every thousand steps of
//! SQLite's virtual machine (so inside a `VACUUM INTO`, an index build or a migration), and every
//! step of writing a file of ours (written, flushed, renamed). With `DAFTAR_CRASH_AFTER=N` in its
//! environment, the process aborts at the N-th such moment, as a power cut would stop it; with
//! `DAFTAR_CRASH_AFTER=count` it runs to the end and says on its error output how many moments
//! it went through (`points de crash : N`), so that the harness can sweep N over a whole
//! operation.
//!
//! Without the feature (every build a clerk ever runs) each function here is empty.

use rusqlite::Connection;

/// Marks one moment where a crash could hurt (see the module's documentation).
#[inline]
pub fn reached() {
    #[cfg(feature = "crash-points")]
    armed::reached();
}

/// Makes the writes of `conn` crash points (see the module's documentation).
#[cfg_attr(not(feature = "crash-points"), allow(unused_variables, clippy::unnecessary_wraps))]
pub fn watch(conn: &mut Connection) -> rusqlite::Result<()> {
    #[cfg(feature = "crash-points")]
    armed::watch(conn)?;
    Ok(())
}

/// With `DAFTAR_CRASH_AFTER=count`, says how many crash points this run went through.
pub fn report() {
    #[cfg(feature = "crash-points")]
    armed::report();
}

#[cfg(feature = "crash-points")]
mod armed {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    use rusqlite::Connection;

    /// How many steps of SQLite's virtual machine make one crash point.
    const VM_STEPS: i32 = 1_000;

    static PASSED: AtomicU64 = AtomicU64::new(0);

    /// `Some(n)`: abort at the n-th point; `None`: only count.
    fn target() -> Option<u64> {
        static TARGET: OnceLock<Option<u64>> = OnceLock::new();
        *TARGET.get_or_init(|| std::env::var("DAFTAR_CRASH_AFTER").ok().and_then(|v| v.parse().ok()))
    }

    pub(super) fn reached() {
        let passed = PASSED.fetch_add(1, Ordering::SeqCst) + 1;
        if target() == Some(passed) {
            std::process::abort();
        }
    }

    pub(super) fn watch(conn: &mut Connection) -> rusqlite::Result<()> {
        conn.update_hook(Some(|_: rusqlite::hooks::Action, _: &str, _: &str, _: i64| reached()))?;
        conn.commit_hook(Some(|| {
            reached();
            false
        }))?;
        conn.progress_handler(
            VM_STEPS,
            Some(|| {
                reached();
                false
            }),
        )
    }

    pub(super) fn report() {
        if std::env::var("DAFTAR_CRASH_AFTER").is_ok_and(|v| v == "count") {
            eprintln!("points de crash : {}", PASSED.load(Ordering::SeqCst));
        }
    }
}
