//! The desktop around the app: the keychain, the session bus and the X11
//! window.

use tokio::process::Command;

use super::wait::{wait_until, Result};

/// The keychain entry for an account, read through the Secret Service.
pub fn keychain_entry(account_id: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "app.topup.Topup",
            "username",
            account_id,
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// What the app logs or shows the outside world under `key`
/// (`tests/markers.json`, pinned against the app by a test in `src-tauri`).
pub fn marker(key: &str) -> Result<String> {
    let markers: serde_json::Value = serde_json::from_str(include_str!("../../markers.json"))?;
    Ok(markers[key]
        .as_str()
        .ok_or_else(|| format!("tests/markers.json has no {key}"))?
        .to_owned())
}

/// The D-Bus name a running Topup holds (tauri-plugin-single-instance).
pub fn instance_name() -> Result<String> {
    marker("instance_name")
}

/// Whether a Topup holds its single-instance name on the session bus.
pub async fn app_is_running() -> Result<bool> {
    Ok(ask_the_bus_about_topup("NameHasOwner")
        .await?
        .contains("boolean true"))
}

/// The session bus's answer to one of its methods about Topup's
/// single-instance name, as `dbus-send` prints it.
async fn ask_the_bus_about_topup(method: &str) -> Result<String> {
    ask_the_bus(method, &instance_name()?).await
}

/// The session bus's answer to one of its methods about a bus name.
async fn ask_the_bus(method: &str, name: &str) -> Result<String> {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{method}"),
            &format!("string:{name}"),
        ])
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!(
            "dbus-send {method}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Stops the Topup that holds the single-instance name on this test's session
/// bus, found through the bus (the name owner's process id), and waits for it
/// to quit. Never by its name: other Topups on the machine (another test
/// run, a benchmark, a person's own) are not this test's to stop.
pub async fn stop_app_on_this_bus() -> Result {
    let pid = owner_pid(&ask_the_bus_about_topup("GetConnectionUnixProcessID").await?)?;
    signal(&pid, "-TERM").await?;
    wait_for_app_to_quit().await
}

/// The process id in the bus's answer to `GetConnectionUnixProcessID`.
fn owner_pid(reply: &str) -> Result<String> {
    Ok(reply
        .split_whitespace()
        .skip_while(|w| *w != "uint32")
        .nth(1)
        .ok_or_else(|| format!("no process id in {reply:?}"))?
        .to_owned())
}

async fn signal(pid: &str, which: &str) -> Result {
    let sent = Command::new("kill").args([which, pid]).status().await?;
    if !sent.success() {
        return Err(format!("kill {which} {pid} failed").into());
    }
    Ok(())
}

/// This session's Secret Service, its process stopped (`SIGSTOP`) as a
/// keychain that hangs would be: a call to it waits for an answer that does
/// not come. It goes on again (`SIGCONT`) when resumed or dropped, so the
/// journeys after a failed one find it working; found through the bus, so
/// no other keychain on the machine is touched.
pub struct StoppedKeychain {
    pid: String,
}

impl StoppedKeychain {
    pub async fn stop() -> Result<Self> {
        let reply = ask_the_bus("GetConnectionUnixProcessID", "org.freedesktop.secrets").await?;
        let pid = owner_pid(&reply)?;
        signal(&pid, "-STOP").await?;
        Ok(Self { pid })
    }

    pub async fn resume(&self) -> Result {
        signal(&self.pid, "-CONT").await
    }
}

impl Drop for StoppedKeychain {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.pid])
            .status();
    }
}

pub(super) async fn wait_for_app_to_quit() -> Result {
    wait_until(
        "the app to quit (its single-instance name freed)",
        async || Ok(!app_is_running().await?),
    )
    .await
}

/// Every process on the machine, by pid.
fn processes() -> Result<Vec<u32>> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        if let Ok(pid) = entry?.file_name().to_string_lossy().parse::<u32>() {
            pids.push(pid);
        }
    }
    Ok(pids)
}

/// Whether `pid` runs the app binary (`app` canonicalised).
fn runs_app(pid: u32, app: &std::path::Path) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app)
}

/// The proportional memory (PSS, KiB) of the running app and its web
/// processes: every process whose executable is the app binary, and their
/// descendants. A figure for the closing notes, never asserted on.
pub fn app_memory_kib() -> Result<u64> {
    let app = std::fs::canonicalize(super::app_binary())?;
    let mut parents = std::collections::HashMap::new();
    let mut roots = Vec::new();
    for pid in processes()? {
        if runs_app(pid, &app) {
            roots.push(pid);
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The parent is the second field after the command's closing parenthesis.
        if let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok())
        {
            parents.insert(pid, ppid);
        }
    }
    let in_app = |mut pid: u32| loop {
        if roots.contains(&pid) {
            return true;
        }
        match parents.get(&pid) {
            Some(&parent) if parent > 1 => pid = parent,
            _ => return false,
        }
    };
    let mut total = 0;
    for &pid in parents.keys().filter(|&&pid| in_app(pid)) {
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        total += rollup
            .lines()
            .find_map(|l| l.strip_prefix("Pss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok(total)
}

/// The names of the running app's threads (its own process, not WebKit's).
pub fn app_thread_names() -> Result<Vec<String>> {
    let app = std::fs::canonicalize(super::app_binary())?;
    let mut names = Vec::new();
    for pid in processes()?.into_iter().filter(|&pid| runs_app(pid, &app)) {
        // A thread may end between the listing and the read: it is gone, not an error.
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks {
            if let Ok(comm) = std::fs::read_to_string(task?.path().join("comm")) {
                names.push(comm.trim_end().to_owned());
            }
        }
    }
    Ok(names)
}

/// The X11 id of Topup's window on screen. GTK also makes a hidden 10×10
/// helper window with the same name, which nothing a person does reaches.
pub async fn topup_window() -> Result<u32> {
    let found = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Topup$"])
        .output()
        .await?;
    let text = String::from_utf8(found.stdout)?;
    let first = text.lines().next().ok_or("no Topup window on screen")?;
    Ok(first.trim().parse()?)
}

/// What a person's click on the close button does, through a window
/// manager: `WM_DELETE_WINDOW` sent to the window while it is on screen
/// (WebDriver's own close would skip the app's close handling). Returns once
/// `took_effect` says so.
///
/// Under Xvfb without a window manager, GTK now and then drops the message
/// (2 runs in 5 here, always right after WebDriver input), and nothing
/// happens at all — as when a click on the close button does not register.
/// So the person clicks again, at most three times, two seconds apart; a
/// close that was handled changes what `took_effect` sees, and is never
/// sent twice.
pub async fn close_like_the_window_manager(
    window: u32,
    mut took_effect: impl AsyncFnMut() -> Result<bool>,
) -> Result {
    for _ in 0..3 {
        send_delete_window(window)?;
        let seen = super::wait::until(std::time::Duration::from_secs(2), async || {
            Ok(took_effect().await?.then_some(()))
        })
        .await?;
        if seen.is_some() {
            return Ok(());
        }
    }
    Err("closing the window had no effect, three times".into())
}

fn send_delete_window(window: u32) -> Result {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask, MapState};
    let (conn, _) = x11rb::connect(None)?;
    if conn.get_window_attributes(window)?.reply()?.map_state != MapState::VIEWABLE {
        return Err(format!("window {window} is not on screen to close").into());
    }
    let protocols = conn.intern_atom(false, b"WM_PROTOCOLS")?.reply()?.atom;
    let delete = conn.intern_atom(false, b"WM_DELETE_WINDOW")?.reply()?.atom;
    let event = ClientMessageEvent::new(
        32,
        window,
        protocols,
        [delete, x11rb::CURRENT_TIME, 0, 0, 0],
    );
    conn.send_event(false, window, EventMask::NO_EVENT, event)?;
    conn.flush()?;
    Ok(())
}

/// What another app would paste: the CLIPBOARD selection as UTF-8 text, asked
/// of its owner through the X server (`None` when nobody holds it).
pub async fn clipboard_text() -> Result<Option<String>> {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, CreateWindowAux, WindowClass};
    use x11rb::protocol::Event;
    let (conn, screen) = x11rb::connect(None)?;
    let root = conn.setup().roots[screen].root;
    let window = conn.generate_id()?;
    conn.create_window(
        0,
        window,
        root,
        0,
        0,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        0,
        &CreateWindowAux::new(),
    )?;
    let clipboard = conn.intern_atom(false, b"CLIPBOARD")?.reply()?.atom;
    let utf8 = conn.intern_atom(false, b"UTF8_STRING")?.reply()?.atom;
    let into = conn.intern_atom(false, b"TOPUP_TEST_PASTE")?.reply()?.atom;
    conn.convert_selection(window, clipboard, utf8, into, x11rb::CURRENT_TIME)?;
    conn.flush()?;
    let answered = super::wait::until(super::wait::DEADLINE, async || {
        Ok(match conn.poll_for_event()? {
            Some(Event::SelectionNotify(e)) => Some(e.property),
            _ => None,
        })
    })
    .await?
    .ok_or("the clipboard's owner never answered")?;
    if answered == x11rb::NONE {
        return Ok(None);
    }
    let value = conn
        .get_property(true, window, into, AtomEnum::ANY, 0, u32::MAX / 4)?
        .reply()?
        .value;
    Ok(Some(String::from_utf8(value)?))
}
