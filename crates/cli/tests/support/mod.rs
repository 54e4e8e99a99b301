//! What the CLI's test files share about reading the built `topup-cli`.

use std::process::Output;

use serde_json::Value;

/// The command's `--json` answer, or a panic that shows what it printed.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
