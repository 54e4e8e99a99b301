//! What explains a failure, kept next to the sources.

use std::fs;
use std::path::{Path, PathBuf};

use fantoccini::Client;

use super::wait::DEADLINE;

/// Copies what explains a failure next to the sources and prints the log tail.
pub(super) async fn keep_artifacts(name: &str, profile: &Path, client: Option<&Client>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/artifacts")
        .join(name);
    let _ = fs::create_dir_all(&dir);
    if let Some(client) = client {
        // WebKitWebDriver can leave a screenshot unanswered; the failure must still be told.
        match tokio::time::timeout(DEADLINE, client.screenshot()).await {
            Ok(Ok(png)) => {
                let _ = fs::write(dir.join("screenshot.png"), png);
            }
            Ok(Err(err)) => eprintln!("[{name}] no screenshot: {err}"),
            Err(_) => eprintln!("[{name}] no screenshot: WebDriver did not answer in {DEADLINE:?}"),
        }
    }
    for log in find_logs(profile) {
        let Some(file_name) = log.file_name() else {
            continue;
        };
        let _ = fs::copy(&log, dir.join(file_name));
        if let Ok(text) = fs::read_to_string(&log) {
            let tail: Vec<_> = text.lines().rev().take(40).collect();
            eprintln!("---- [{name}] last lines of {} ----", log.display());
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
    eprintln!("[{name}] artifacts kept in {}", dir.display());
}

pub(super) fn find_logs(root: &Path) -> Vec<PathBuf> {
    files_under(root)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
        .collect()
}

/// Every file below `root` (symlinks not followed).
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                found.push(entry.path());
            }
        }
    }
    found
}
