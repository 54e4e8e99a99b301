//! Reading and writing Topup's small JSON files: a crash never leaves half of
//! one, and a file another program holds for a moment is waited for, not lost.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

/// How long each retry waits on a file held by another program: about 1.5 s
/// in all, longer than an antivirus or backup scan holds a small file.
const RETRY_PAUSES_MS: [u64; 6] = [20, 50, 100, 200, 400, 800];

/// Whether an error means "another program holds the file right now".
/// Windows reports a file open elsewhere (antivirus, backup, sync tools) as a
/// sharing or lock violation, and a rename over it as "access denied"; other
/// systems have no such transient refusals.
fn held_by_another_program(e: &io::Error, windows: bool) -> bool {
    const ERROR_ACCESS_DENIED: i32 = 5;
    const ERROR_SHARING_VIOLATION: i32 = 32;
    const ERROR_LOCK_VIOLATION: i32 = 33;
    windows
        && matches!(
            e.raw_os_error(),
            Some(ERROR_ACCESS_DENIED | ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION)
        )
}

/// Runs `op`, again after each pause while it fails because the file is held.
fn retrying<T>(
    mut op: impl FnMut() -> io::Result<T>,
    held: impl Fn(&io::Error) -> bool,
    mut pause: impl FnMut(Duration),
) -> io::Result<T> {
    let mut pauses = RETRY_PAUSES_MS.iter();
    loop {
        match op() {
            Err(e) if held(&e) => match pauses.next() {
                Some(ms) => pause(Duration::from_millis(*ms)),
                None => return Err(e),
            },
            done => return done,
        }
    }
}

fn retrying_held<T>(op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    retrying(
        op,
        |e| held_by_another_program(e, cfg!(windows)),
        std::thread::sleep,
    )
}

/// Reads a file as text, waiting out another program holding it; `None` when
/// there is no file.
pub(crate) fn read_text(path: &Path) -> io::Result<Option<String>> {
    match retrying_held(|| fs::read_to_string(path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed over the old one, so a crash leaves the old
/// or the new file. Two processes (the app and the CLI) never share a
/// temporary name, since it carries the process id.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        retrying_held(|| fs::rename(&tmp, path))?;
        // The rename itself is durable once the directory is synced.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/prefs.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["prefs.json"]);
    }

    fn sharing_violation() -> io::Error {
        io::Error::from_raw_os_error(32)
    }

    #[test]
    fn a_file_held_for_a_moment_is_waited_for() {
        let mut failures = 2;
        let mut waited = Vec::new();
        let out = retrying(
            || {
                if failures > 0 {
                    failures -= 1;
                    Err(sharing_violation())
                } else {
                    Ok("read")
                }
            },
            |e| held_by_another_program(e, true),
            |d| waited.push(d.as_millis()),
        );
        assert_eq!(out.unwrap(), "read");
        assert_eq!(waited, vec![20, 50]);
    }

    #[test]
    fn a_file_held_for_good_fails_after_every_pause() {
        let mut attempts = 0;
        let mut waited = Vec::new();
        let out: io::Result<()> = retrying(
            || {
                attempts += 1;
                Err(sharing_violation())
            },
            |e| held_by_another_program(e, true),
            |d| waited.push(d.as_millis()),
        );
        assert_eq!(out.unwrap_err().raw_os_error(), Some(32));
        assert_eq!(attempts, 7);
        assert_eq!(waited, vec![20, 50, 100, 200, 400, 800]);
    }

    #[test]
    fn other_failures_are_not_retried() {
        let mut attempts = 0;
        let out: io::Result<()> = retrying(
            || {
                attempts += 1;
                Err(io::Error::from(io::ErrorKind::InvalidData))
            },
            |e| held_by_another_program(e, true),
            |_| panic!("no pause for a failure that will not pass"),
        );
        assert!(out.is_err());
        assert_eq!(attempts, 1);
    }

    #[test]
    fn only_windows_reports_a_held_file() {
        for code in [5, 32, 33] {
            let e = io::Error::from_raw_os_error(code);
            assert!(held_by_another_program(&e, true), "{code}");
            assert!(!held_by_another_program(&e, false), "{code}");
        }
        assert!(!held_by_another_program(
            &io::Error::from_raw_os_error(2),
            true
        ));
    }
}
