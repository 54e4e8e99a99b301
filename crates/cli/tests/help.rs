//! `topup-cli --help`, which scripts read for the exit codes and error codes
//! (platform-independent, unlike the pseudo-terminal tests in cli.rs).

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_topup-cli");

#[test]
fn help_lists_every_code_a_script_can_see() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for code in topup_core::ErrorCode::ALL {
        let line = help
            .lines()
            .find(|l| l.split_whitespace().next() == Some(code.as_str()))
            .unwrap_or_else(|| panic!("{code} is not listed:\n{help}"));
        assert!(line.contains(code.meaning()), "{line}");
    }
    for code in ["usage", "cancelled", "terminal", "failed"] {
        assert!(
            help.lines()
                .any(|l| l.split_whitespace().next() == Some(code)),
            "{code}"
        );
    }
    assert!(help.contains("6 sign in again"));
}
