//! After the whole suite: every file any journey's app wrote (config, data,
//! cache, WebKit storage, the pending file) and every app log (its stdout and
//! stderr, captured through tauri-driver) is read for anything secret. Run by
//! `run.sh` last, over the profiles it kept (`TOPUP_E2E_PROFILES`).

use topup_sandbox::demo;

use crate::harness::{files_under, Result, PROFILES_ENV};

/// What must never be written down: the prefixes every Clara user token and
/// API-key token starts with (a JWT follows), and the Sandbox's fixed secrets.
const NEEDLES: &[&str] = &[
    "crazi_co_user_eyJ",
    "crazi_couser_eyJ",
    "clara_api_eyJ",
    demo::PASSWORD,
    demo::DISPERSED_SECRET_KEY,
    demo::DISPERSED_READONLY_SECRET_KEY,
    demo::CLARA_PRIVATE_KEY,
    demo::STRIPE_SECRET_KEY,
    demo::WEBHOOK_SECRET,
];

#[tokio::test]
#[ignore = "runs last in `make e2e`, over the profiles the suite kept"]
async fn after_the_suite_no_file_or_log_of_any_profile_holds_a_secret() -> Result {
    let root = std::env::var_os(PROFILES_ENV)
        .ok_or("run through tests/e2e/run.sh, which keeps the profiles to scan")?;
    let profiles = std::fs::read_dir(&root)?.count();
    let files = files_under(std::path::Path::new(&root));
    // A scan of nothing proves nothing: the suite made a profile per journey.
    assert!(profiles >= 10, "only {profiles} profiles to scan");
    let logs = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "log"))
        .count();
    assert!(logs >= profiles, "only {logs} logs in {profiles} profiles");
    let mut leaks = Vec::new();
    let mut bytes_read = 0;
    for file in &files {
        let bytes = std::fs::read(file)?;
        bytes_read += bytes.len();
        // Lossy text keeps every ASCII byte where it was, and every needle is ASCII.
        let text = String::from_utf8_lossy(&bytes);
        for needle in NEEDLES {
            if text.contains(needle) {
                leaks.push(format!("{needle:?} in {}", file.display()));
            }
        }
    }
    eprintln!(
        "secret scan: {} files ({} KiB) in {profiles} profiles, {} needles",
        files.len(),
        bytes_read / 1024,
        NEEDLES.len()
    );
    assert!(
        leaks.is_empty(),
        "secrets written down:\n{}",
        leaks.join("\n")
    );
    Ok(())
}
