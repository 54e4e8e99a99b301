//! "The network is back", as the system tells it, handed to core's monitor
//! ([`Monitor::network_back`] decides what to check).
//!
//! - Linux: NetworkManager's `StateChanged` signal on the system bus, when
//!   the state becomes "connected, global" (what GNOME and KDE show as on
//!   line). A machine without NetworkManager (or without a system bus) has
//!   no such word; the schedule and the wake from sleep still apply.
//! - macOS and Windows: a new address on an interface, as the system
//!   reports it (SystemConfiguration's dynamic store, `NotifyIpInterfaceChange`)
//!   through the `if-watch` crate.

use std::sync::Arc;

use topup_core::alerts::Monitor;

/// Follows the system's network state for as long as the app runs.
pub fn follow(monitor: Arc<Monitor>) {
    tauri::async_runtime::spawn(async move {
        if let Err(e) = platform::follow(&monitor).await {
            tracing::info!(error = %e, "the system does not say when the network comes back");
        }
    });
}

#[cfg(target_os = "linux")]
mod platform {
    use futures_util::StreamExt;
    use topup_core::alerts::Monitor;

    /// `NM_STATE_CONNECTED_GLOBAL`.
    const CONNECTED_GLOBAL: u32 = 70;

    #[zbus::proxy(
        interface = "org.freedesktop.NetworkManager",
        default_service = "org.freedesktop.NetworkManager",
        default_path = "/org/freedesktop/NetworkManager"
    )]
    trait NetworkManager {
        #[zbus(signal)]
        fn state_changed(&self, state: u32) -> zbus::Result<()>;
    }

    pub async fn follow(monitor: &Monitor) -> zbus::Result<()> {
        let connection = zbus::Connection::system().await?;
        // The match rule holds even while NetworkManager is not running yet.
        let mut changes = NetworkManagerProxy::new(&connection)
            .await?
            .receive_state_changed()
            .await?;
        tracing::debug!("following NetworkManager's state");
        // NetworkManager says it only when the state changes: reaching
        // "global" means it was not on line a moment ago.
        while let Some(change) = changes.next().await {
            match change.args() {
                Ok(args) if args.state == CONNECTED_GLOBAL => {
                    tracing::info!("the network is back: checking balances");
                    monitor.network_back();
                }
                Ok(args) => tracing::debug!(state = args.state, "network state"),
                Err(e) => tracing::debug!(error = %e, "unreadable network state"),
            }
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use futures_util::StreamExt;
    use if_watch::{tokio::IfWatcher, IfEvent, IpNet};
    use topup_core::alerts::Monitor;

    pub async fn follow(monitor: &Monitor) -> std::io::Result<()> {
        let mut events = IfWatcher::new()?;
        while let Some(event) = events.next().await {
            // The first events list the addresses there already are; an
            // address that arrives later means a network came up.
            if let IfEvent::Up(net) = event? {
                if reaches_out(&net) {
                    tracing::info!("a network came up: checking balances");
                    monitor.network_back();
                }
            }
        }
        Ok(())
    }

    /// Not the loopback, not a link-local address (which any cable without
    /// a DHCP server gets).
    fn reaches_out(net: &IpNet) -> bool {
        match net {
            IpNet::V4(v4) => !v4.addr().is_loopback() && !v4.addr().is_link_local(),
            IpNet::V6(v6) => {
                !v6.addr().is_loopback() && (v6.addr().segments()[0] & 0xffc0) != 0xfe80
            }
        }
    }
}
