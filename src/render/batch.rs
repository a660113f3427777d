//! Many documents side by side. typst's layout and PDF export use rayon's global pool inside
//! one document; if whole documents were jobs of that pool too, a thread waiting on typst's work
//! would pick up another document and run it on the same stack, nesting documents until the
//! stack overflows (seen at a few hundred documents). So documents run on plain threads of
//! their own, which only hand typst's inner work to the pool and wait for it.
//!
//! Work goes in chunks with typst's memo cache cleared between them: memory stays flat however
//! many documents there are.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack of a document thread: one document at a time needs far less, typst recurses deeply on
/// nested content.
const STACK: usize = 16 << 20;

/// Items handled between two clearings of typst's memo cache.
pub const CHUNK: usize = 32;

/// `f` over every item on `threads` document threads; results in the items' order.
pub fn parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let workers = threads.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            std::thread::Builder::new()
                .name("anjuan-document".into())
                .stack_size(STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let r = f(item);
                        *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                    }
                })
                .expect("a document thread starts");
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every item was handled")
        })
        .collect()
}

/// [`parallel`] a chunk at a time: `done` gets each chunk with its results before the next
/// starts, and typst's memo cache is cleared in between.
pub fn in_chunks<T: Sync, R: Send>(
    items: &[T],
    chunk: usize,
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
    mut done: impl FnMut(&[T], Vec<R>),
) {
    for part in items.chunks(chunk.max(1)) {
        let results = parallel(part, threads, &f);
        done(part, results);
        // What a chunk left behind is worth more as free memory than as cache.
        typst::comemo::evict(0);
        crate::memstat::release_free();
    }
}

/// Document threads for this run: the size of rayon's global pool (`-j`).
pub fn threads() -> usize {
    rayon::current_num_threads()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_visits_everything() {
        let items: Vec<usize> = (0..100).collect();
        assert_eq!(
            parallel(&items, 3, |x| x * 2),
            (0..100).map(|x| x * 2).collect::<Vec<_>>()
        );
        let mut seen = Vec::new();
        in_chunks(
            &items,
            7,
            2,
            |x| *x,
            |part, r| {
                assert_eq!(part.len(), r.len());
                seen.extend(r);
            },
        );
        assert_eq!(seen, items);
    }
}
