//! Using the second core of an office PC for the pure work of a long job (reading records,
//! serialising and hashing them) while the first one talks to SQLite.
//!
//! Both helpers keep the order of their input and fall back to plain sequential work when the
//! machine has one core. A panic in a helper thread comes back as a panic here (the caller's
//! transaction then rolls back).

use std::sync::mpsc;

/// How many items travel together between the threads of [`pipelined`].
const BATCH: usize = 256;

/// Whether a second thread can help.
fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// `items.iter().map(f).collect()`, the second half computed on another thread.
pub fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    if items.len() < 2 * BATCH || !two_cores() {
        return items.iter().map(f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let f = &f;
        let helper = scope.spawn(move || second.iter().map(f).collect::<Vec<U>>());
        let mut out: Vec<U> = first.iter().map(f).collect();
        match helper.join() {
            Ok(rest) => out.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    })
}

/// Calls `consume(item, prepare(item))` for each item in order, `prepare` running on another
/// thread a few batches ahead of `consume`. Stops at the first error of `consume` (the helper
/// then stops too) and returns it.
pub fn pipelined<'a, T: Sync, P: Send, E>(
    items: &'a [T],
    prepare: impl Fn(&T) -> P + Sync,
    mut consume: impl FnMut(&'a T, P) -> Result<(), E>,
) -> Result<(), E> {
    if items.len() < 2 * BATCH || !two_cores() {
        return items.iter().try_for_each(|item| consume(item, prepare(item)));
    }
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<Vec<P>>(8);
        let prepare = &prepare;
        scope.spawn(move || {
            for chunk in items.chunks(BATCH) {
                // The consumer stopped on an error: nothing more to prepare.
                if send.send(chunk.iter().map(prepare).collect()).is_err() {
                    return;
                }
            }
        });
        for chunk in items.chunks(BATCH) {
            // A closed channel means the helper panicked: `scope` re-raises its panic.
            let Ok(prepared) = receive.recv() else { break };
            for (item, p) in chunk.iter().zip(prepared) {
                consume(item, p)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_the_order_of_its_input() {
        let items: Vec<u32> = (0..10_000).collect();
        assert_eq!(map(&items, |n| n * 3), items.iter().map(|n| n * 3).collect::<Vec<_>>());
        assert_eq!(map(&items[..3], |n| n + 1), vec![1, 2, 3]);
    }

    #[test]
    fn pipelined_consumes_every_item_in_order() {
        let items: Vec<u32> = (0..10_000).collect();
        let mut seen = Vec::new();
        let done: Result<(), ()> = pipelined(
            &items,
            |n| u64::from(*n) * 2,
            |n, doubled| {
                assert_eq!(doubled, u64::from(*n) * 2);
                seen.push(*n);
                Ok(())
            },
        );
        assert_eq!(done, Ok(()));
        assert_eq!(seen, items);
    }

    #[test]
    fn pipelined_stops_at_the_first_error() {
        let items: Vec<u32> = (0..10_000).collect();
        let mut seen = 0;
        let done = pipelined(
            &items,
            |n| *n,
            |_, n| {
                seen += 1;
                if n == 4_321 { Err(format!("arrêt à {n}")) } else { Ok(()) }
            },
        );
        assert_eq!(done, Err("arrêt à 4321".to_string()));
        assert_eq!(seen, 4_322);
    }

    #[test]
    fn a_panic_in_the_helper_thread_comes_back() {
        let items: Vec<u32> = (0..10_000).collect();
        let caught = std::panic::catch_unwind(|| {
            pipelined(&items, |n| assert!(*n != 9_000, "préparation impossible"), |_, ()| Ok::<(), ()>(()))
        });
        assert!(caught.is_err());
        let caught = std::panic::catch_unwind(|| map(&items, |n| assert!(*n != 9_000, "lecture impossible")));
        assert!(caught.is_err());
    }
}
