//! Memory a large operation let go, handed back to the system before the next step of the
//! same operation needs more.
//!
//! The allocator keeps freed small blocks for reuse and does not return them to the system
//! while anything above them is still in use. A million-entity preparation frees several
//! hundred megabytes of such blocks (the structures its text was written from) just before
//! SQLite makes its own copies of that text in fresh, large blocks: without handing them back,
//! the process holds both (issue 12: the peak of a large county).

/// Returns the allocator's free memory to the system where it can (glibc's `malloc_trim`);
/// elsewhere it does nothing.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of the allocator's own arenas; it reads
    // and writes nothing of the program's, and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
