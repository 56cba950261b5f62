//! Background work that gives way to requests: the lowest CPU priority for the calling thread.

/// Nice value of background threads (0 is normal, 19 the lowest priority).
const BACKGROUND_NICE: libc::c_int = 19;

/// Lowers the calling thread to nice 19, which threads it starts inherit. (On Linux the nice
/// value is per thread; elsewhere this is a no-op.) Not `SCHED_IDLE`: that starves the work
/// outright for as long as requests, or anything else on the machine, keep the CPU busy; at
/// nice 19 it still gets a small share and finishes.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; who = 0 is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICE);
    }
}
