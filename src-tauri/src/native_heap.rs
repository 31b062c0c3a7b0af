//! Gives the app's freed heap back to the system, once a minute (glibc only).
//!
//! glibc's malloc returns freed memory to the system only from the top of each arena, and
//! the app's large pieces of work run on many threads, each allocating from an arena of its
//! own: a sync pass over thousands of tracks, a 10,000-item playlist read and serialised
//! for the window, a page of the catalog. Once they are done, tens of megabytes lie free in
//! the middle of the arenas and still count in the process's memory, for as long as it
//! runs. `malloc_trim` hands those pages back (`madvise`); it takes a few milliseconds when
//! there is something to release and next to nothing when there is not, so a thread doing
//! it once a minute costs nothing a listener could notice.
//!
//! Measured in the UI benchmark (docs/performance.md, "The window at size"). Tried before
//! and not kept: capping the arenas at two (`M_ARENA_MAX`), which saved as much but made
//! the threads contend (the player's CPU rose by a third), and mimalloc, which held more.
//! Windows' and macOS's allocators (and musl's) give free pages back on their own; there
//! this module does nothing.

/// How often the heap is trimmed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// Starts the thread that trims the heap every [`PERIOD`], for the life of the process.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_trimmed() {
    let spawned = std::thread::Builder::new()
        .name("strato-heap".into())
        .spawn(|| {
            loop {
                std::thread::sleep(PERIOD);
                let started = std::time::Instant::now();
                let released = trim();
                tracing::debug!(released, took = ?started.elapsed(), "heap trimmed");
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "the heap will not be trimmed: no thread for it");
    }
}

/// Trims every arena now; true when memory went back to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // one call into the C library; see the module doc.
pub fn trim() -> bool {
    // SAFETY: malloc_trim takes each arena's own lock; it is safe to call from any thread
    // at any time. Zero: keep no padding at the top of the heap.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Elsewhere the system's allocator gives pages back by itself.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_trimmed() {}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// The pages of a freed block in the middle of a thread's arena are given back: the
    /// process's resident memory drops by most of the block.
    #[test]
    fn memory_freed_on_another_thread_goes_back_to_the_system() {
        // Blocks below the mmap threshold (128 kB), so they live in the arena; one kept
        // at the end so the freed ones are not at the top, where free() alone would trim.
        // Filled with a non-zero byte, so every page is touched (resident).
        let (resident_after_free, tail) = std::thread::spawn(|| {
            let mut blocks: Vec<Vec<u8>> = (0..800).map(|_| vec![0xA5_u8; 64 * 1024]).collect();
            let tail = blocks.pop();
            drop(blocks);
            (resident_kb(), tail)
        })
        .join()
        .unwrap();
        trim();
        let after_trim = resident_kb();
        drop(tail);
        assert!(
            resident_after_free.saturating_sub(after_trim) > 30 * 1024,
            "50 MB freed, but resident memory went only from {resident_after_free} kB to \
             {after_trim} kB"
        );
    }

    fn resident_kb() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}
