//! Real desktop services on the test's session bus, as small test services:
//! a StatusNotifierWatcher that Topup's tray item registers with (then read
//! over `org.kde.StatusNotifierItem` and `com.canonical.dbusmenu`, as a panel
//! would), and an `org.freedesktop.Notifications` server that records every
//! `Notify` and can invoke a notification's action.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::proxy::CacheProperties;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{interface, Connection};

use super::wait::{until, Result, DEADLINE};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------- the tray

#[derive(Default)]
struct Watcher {
    /// (bus name, object path) of each registered item.
    items: Arc<Mutex<Vec<(String, String)>>>,
}

#[interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        // Items register by object path (libayatana-appindicator) or by name.
        let item = if service.starts_with('/') {
            (sender, service.to_owned())
        } else {
            (service.to_owned(), "/StatusNotifierItem".to_owned())
        };
        let full = format!("{}{}", item.0, item.1);
        lock(&self.items).push(item);
        let _ = Self::status_notifier_item_registered(&emitter, &full).await;
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        lock(&self.items)
            .iter()
            .map(|(n, p)| format!("{n}{p}"))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(signal)]
    async fn status_notifier_item_registered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;
}

/// A tray host: owns `org.kde.StatusNotifierWatcher` while it lives.
pub struct TrayHost {
    conn: Connection,
    items: Arc<Mutex<Vec<(String, String)>>>,
}

/// One entry of the item's menu, as `com.canonical.dbusmenu` lays it out.
#[derive(Debug, Clone)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    pub separator: bool,
}

/// What a panel shows of the item.
#[derive(Debug, Clone)]
pub struct TrayItem {
    pub entries: Vec<MenuEntry>,
    /// The icon file (libayatana-appindicator writes each icon to a file).
    pub icon: String,
}

impl TrayItem {
    pub fn labels(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| !e.separator)
            .map(|e| e.label.clone())
            .collect()
    }

    /// The entry with exactly this label, the `nth` such (from 0).
    pub fn entry(&self, label: &str, nth: usize) -> Result<&MenuEntry> {
        self.entries
            .iter()
            .filter(|e| e.label == label)
            .nth(nth)
            .ok_or_else(|| format!("no menu entry {label:?} #{nth} in {:?}", self.labels()).into())
    }
}

impl TrayItem {
    /// With `TOPUP_SCREENSHOTS=<dir>` set, draws the menu as the reader saw
    /// it (an SVG: a tray under Xvfb has no panel to photograph).
    pub fn save_for_docs(&self, name: &str) -> Result {
        let Some(dir) = std::env::var_os("TOPUP_SCREENSHOTS") else {
            return Ok(());
        };
        const ROW: u32 = 30;
        const WIDTH: u32 = 460;
        let mut y = 8;
        let mut body = String::new();
        for e in &self.entries {
            if e.separator {
                body.push_str(&format!(
                    "<line x1=\"8\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#d4d4d8\"/>",
                    WIDTH - 8,
                    y + 5,
                    y + 5
                ));
                y += 10;
                continue;
            }
            let colour = if e.enabled { "#18181b" } else { "#52525b" };
            let text = e.label.replace('&', "&amp;").replace('<', "&lt;");
            body.push_str(&format!(
                "<text x=\"16\" y=\"{}\" fill=\"{colour}\">{text}</text>",
                y + 20
            ));
            y += ROW;
        }
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"14\"><rect width=\"{WIDTH}\" height=\"{h}\" rx=\"8\" fill=\"#ffffff\" stroke=\"#a1a1aa\"/>{body}</svg>\n",
            h = y + 8
        );
        let path = std::path::Path::new(&dir).join(format!("{name}.svg"));
        std::fs::write(&path, svg)?;
        eprintln!("screenshot saved: {}", path.display());
        Ok(())
    }
}

impl TrayHost {
    pub async fn start() -> Result<Self> {
        let watcher = Watcher::default();
        let items = Arc::clone(&watcher.items);
        let conn = zbus::connection::Builder::session()?
            .name("org.kde.StatusNotifierWatcher")?
            .serve_at("/StatusNotifierWatcher", watcher)?
            .build()
            .await?;
        Ok(Self { conn, items })
    }

    /// The item Topup registered (waiting for it).
    async fn item(&self) -> Result<(String, String)> {
        until(DEADLINE, async || Ok(lock(&self.items).first().cloned()))
            .await?
            .ok_or_else(|| "no tray item registered with the StatusNotifierWatcher".into())
    }

    async fn proxy(&self, name: &str, path: &str, interface: &str) -> Result<zbus::Proxy<'static>> {
        Ok(zbus::proxy::Builder::new(&self.conn)
            .destination(name.to_owned())?
            .path(path.to_owned())?
            .interface(interface.to_owned())?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    async fn menu(&self) -> Result<zbus::Proxy<'static>> {
        let (name, path) = self.item().await?;
        let item = self
            .proxy(&name, &path, "org.kde.StatusNotifierItem")
            .await?;
        let menu: OwnedObjectPath = item.get_property("Menu").await?;
        self.proxy(&name, menu.as_str(), "com.canonical.dbusmenu")
            .await
    }

    /// Reads the item and its whole menu.
    pub async fn read(&self) -> Result<TrayItem> {
        let (name, path) = self.item().await?;
        let item = self
            .proxy(&name, &path, "org.kde.StatusNotifierItem")
            .await?;
        let icon: String = item.get_property("IconName").await?;
        let menu = self.menu().await?;
        let (_revision, root): (u32, Node) = menu
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .await?;
        let mut entries = Vec::new();
        for child in root.2 {
            flatten(&child, &mut entries)?;
        }
        Ok(TrayItem { entries, icon })
    }

    /// Waits until the menu holds an entry with this label, and returns it.
    pub async fn wait_for_entry(&self, label: &str) -> Result<TrayItem> {
        let mut last = None;
        let found = until(DEADLINE, async || {
            let item = self.read().await?;
            let has = item.entries.iter().any(|e| e.label == label);
            last = Some(item.labels());
            Ok(has.then_some(item))
        })
        .await?;
        found.ok_or_else(|| format!("the tray menu never showed {label:?}; last: {last:?}").into())
    }

    /// Clicks a menu entry, as a panel does.
    pub async fn click(&self, entry: &MenuEntry) -> Result {
        let menu = self.menu().await?;
        let _: () = menu
            .call("Event", &(entry.id, "clicked", Value::from(0i32), 0u32))
            .await?;
        Ok(())
    }
}

type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

/// Reads one `(ia{sv}av)` layout node and its children, depth first.
fn flatten(node: &OwnedValue, into: &mut Vec<MenuEntry>) -> Result {
    let value: Value<'_> = node.try_clone()?.into();
    let value = match value {
        Value::Value(inner) => *inner,
        other => other,
    };
    let (id, props, children): Node = value.try_into()?;
    let text = |key: &str| -> Option<String> {
        props
            .get(key)
            .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
    };
    let flag = |key: &str| -> Option<bool> { props.get(key).and_then(|v| bool::try_from(v).ok()) };
    if flag("visible").unwrap_or(true) {
        into.push(MenuEntry {
            id,
            // GTK labels mark mnemonics with `_`; a panel shows them without.
            label: text("label").unwrap_or_default().replace('_', ""),
            enabled: flag("enabled").unwrap_or(true),
            separator: text("type").as_deref() == Some("separator"),
        });
    }
    for child in &children {
        flatten(child, into)?;
    }
    Ok(())
}

// ---------------------------------------------------- notifications

/// One `Notify` call as the server received it.
#[derive(Debug, Clone)]
pub struct Notified {
    pub id: u32,
    pub summary: String,
    pub body: String,
    /// Pairs of (action key, label).
    pub actions: Vec<(String, String)>,
}

#[derive(Default)]
struct Server {
    seen: Arc<Mutex<Vec<Notified>>>,
}

#[interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut seen = lock(&self.seen);
        let id = u32::try_from(seen.len()).unwrap_or(u32::MAX - 1) + 1;
        seen.push(Notified {
            id,
            summary,
            body,
            actions: actions
                .chunks(2)
                .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
                .collect(),
        });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "topup-test-notifications".into(),
            "topup".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn action_invoked(emitter: &SignalEmitter<'_>, id: u32, action: &str)
        -> zbus::Result<()>;
}

/// A notification server: owns `org.freedesktop.Notifications` while it lives.
pub struct Notifications {
    conn: Connection,
    seen: Arc<Mutex<Vec<Notified>>>,
}

const NOTIFICATIONS_PATH: &str = "/org/freedesktop/Notifications";

impl Notifications {
    pub async fn start() -> Result<Self> {
        let server = Server::default();
        let seen = Arc::clone(&server.seen);
        let conn = zbus::connection::Builder::session()?
            .name("org.freedesktop.Notifications")?
            .serve_at(NOTIFICATIONS_PATH, server)?
            .build()
            .await?;
        Ok(Self { conn, seen })
    }

    /// Every notification so far, oldest first.
    pub fn all(&self) -> Vec<Notified> {
        lock(&self.seen).clone()
    }

    /// Waits until there are `count` notifications, and returns them.
    pub async fn wait_for(&self, count: usize) -> Result<Vec<Notified>> {
        let found = until(DEADLINE, async || {
            let all = self.all();
            Ok((all.len() >= count).then_some(all))
        })
        .await?;
        found.ok_or_else(|| format!("expected {count} notifications, got {:?}", self.all()).into())
    }

    /// The person clicks an action of a notification.
    pub async fn invoke(&self, id: u32, action: &str) -> Result {
        let emitter = SignalEmitter::new(&self.conn, NOTIFICATIONS_PATH)?;
        Server::action_invoked(&emitter, id, action).await?;
        Ok(())
    }
}

// ------------------------------------------------------- the network

/// `NM_STATE_DISCONNECTED` and `NM_STATE_CONNECTED_GLOBAL`.
pub const NM_DISCONNECTED: u32 = 20;
pub const NM_CONNECTED_GLOBAL: u32 = 70;

struct NetworkState {
    state: Arc<Mutex<u32>>,
}

#[interface(name = "org.freedesktop.NetworkManager")]
impl NetworkState {
    #[zbus(property)]
    fn state(&self) -> u32 {
        *lock(&self.state)
    }

    /// NetworkManager's own signal (the property's change is sent too).
    #[zbus(signal, name = "StateChanged")]
    async fn state_signal(emitter: &SignalEmitter<'_>, state: u32) -> zbus::Result<()>;
}

/// NetworkManager as the app sees it: owns `org.freedesktop.NetworkManager`
/// on the session's own system bus (`in_session` starts one and points
/// `DBUS_SYSTEM_BUS_ADDRESS` at it, so no test touches the machine's).
pub struct NetworkManager {
    conn: Connection,
    state: Arc<Mutex<u32>>,
}

const NM_PATH: &str = "/org/freedesktop/NetworkManager";

impl NetworkManager {
    /// Starts on line ("connected, global").
    pub async fn start() -> Result<Self> {
        if std::env::var_os("DBUS_SYSTEM_BUS_ADDRESS").is_none() {
            return Err("no private system bus: run the suite through `make e2e`".into());
        }
        let state = Arc::new(Mutex::new(NM_CONNECTED_GLOBAL));
        let conn = zbus::connection::Builder::system()?
            .name("org.freedesktop.NetworkManager")?
            .serve_at(
                NM_PATH,
                NetworkState {
                    state: Arc::clone(&state),
                },
            )?
            .build()
            .await?;
        Ok(Self { conn, state })
    }

    /// The state changes, said as NetworkManager says it: the property
    /// changes and `StateChanged` is sent.
    pub async fn set_state(&self, state: u32) -> Result {
        *lock(&self.state) = state;
        let iface = self
            .conn
            .object_server()
            .interface::<_, NetworkState>(NM_PATH)
            .await?;
        iface
            .get()
            .await
            .state_changed(iface.signal_emitter())
            .await?;
        NetworkState::state_signal(iface.signal_emitter(), state).await?;
        Ok(())
    }
}
