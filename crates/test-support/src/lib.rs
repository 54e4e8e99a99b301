//! What Topup's tests share, whatever crate they test: waiting on a
//! condition until it holds or a deadline passes, asking again at a steady
//! pace, and starting a server that says where it listens. Tests wait on
//! conditions, never on sleeps; [`poll`] is the one loop that does it. It
//! depends on nothing of Topup's, so the Sandbox's tests use it too without
//! depending on the client.

use std::time::Duration;

use tokio::time::Instant;

/// How often a condition is asked again.
pub const POLL: Duration = Duration::from_millis(50);

/// Asks `check` every [`POLL`] until it answers `Some`, for at most
/// `deadline`. `Err` carries how long it waited.
pub async fn poll<T>(
    deadline: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> Result<T, Duration> {
    let started = Instant::now();
    loop {
        if let Some(found) = check().await {
            return Ok(found);
        }
        let waited = started.elapsed();
        if waited >= deadline {
            return Err(waited);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// [`poll`], failing the test with what it waited for when the deadline
/// passes.
pub async fn wait_for<T>(
    what: &str,
    deadline: Duration,
    check: impl AsyncFnMut() -> Option<T>,
) -> T {
    match poll(deadline, check).await {
        Ok(found) => found,
        Err(waited) => panic!("waited {waited:?} in vain for {what}"),
    }
}

/// Starts a server whose first line on stdout says where it listens (the
/// Sandbox prints its URLs so). The rest of its output is drained as it
/// comes: a closed pipe would end the server at its next line. The line is
/// `None` when the server printed nothing before it ended.
pub fn spawn_announcing(
    command: &mut std::process::Command,
) -> std::io::Result<(std::process::Child, Option<String>)> {
    use std::io::BufRead;
    use std::process::Stdio;

    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let Some(stdout) = child.stdout.take() else {
        return Ok((child, None));
    };
    let mut out = std::io::BufReader::new(stdout);
    let mut first = String::new();
    let first = match out.read_line(&mut first) {
        Ok(n) if n > 0 => Some(first),
        _ => None,
    };
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Ok((child, first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn answers_once_the_condition_holds_and_gives_up_at_the_deadline() {
        let mut asked = 0;
        let found = poll(Duration::from_secs(1), async || {
            asked += 1;
            (asked == 3).then_some("third")
        })
        .await;
        assert_eq!((found, asked), (Ok("third"), 3));

        let mut asked = 0;
        let never = poll(Duration::ZERO, async || {
            asked += 1;
            None::<()>
        })
        .await;
        assert!(never.is_err());
        assert_eq!(asked, 1, "asked once before giving up");
    }
}
