//! The session's Secret Service (gnome-keyring), driven as its owner would.

use std::process::Command;

/// Locks the login keyring through the Secret Service's own `Lock` method
/// (`secret-tool lock` waits on a prompt here).
pub fn lock_login_keyring() {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .output()
        .expect("dbus-send runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
