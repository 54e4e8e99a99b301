//! Locking the plain data core shares between tasks.

use std::sync::{Mutex, MutexGuard};

/// The guard, also after a panic elsewhere: what core keeps behind a mutex
/// is plain data, still consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
