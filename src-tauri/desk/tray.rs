//! The tray icon (a StatusNotifierItem on Linux, the menu bar on macOS, the
//! notification area on Windows): each signed-in account's line with
//! "Top up…", then "Check balances now", "Open Topup" and "Quit". A low
//! balance puts a mark on the icon.

use tauri::image::Image;
use tauri::menu::{Menu, MenuBuilder, MenuEvent};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use topup_core::alerts::{ForecastKind, Monitor, Standing};

pub const TRAY_ID: &str = "topup";
const CHECK_NOW: &str = "check-now";
const OPEN: &str = "open";
const QUIT: &str = "quit";
const TOP_UP: &str = "top-up:";

/// Puts the icon in the tray, with the menu of what is known so far.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let menu = menu(app, &[])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Topup")
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu);
    if let Some(icon) = icon(app, false) {
        builder = builder.icon(icon);
    }
    builder.build(app)?;
    Ok(())
}

/// Shows the standings: the menu, the tooltip and the mark.
pub fn show<R: Runtime>(app: &AppHandle<R>, standings: &[Standing]) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let shown = menu(app, standings)
        .and_then(|m| tray.set_menu(Some(m)))
        .and_then(|()| tray.set_tooltip(Some(tooltip(standings))))
        .and_then(|()| tray.set_icon(icon(app, standings.iter().any(|s| s.low))));
    if let Err(e) = shown {
        tracing::warn!(error = %e, "the tray could not be updated");
    }
}

fn signed_in(standings: &[Standing]) -> impl Iterator<Item = &Standing> {
    standings.iter().filter(|s| s.signed_in)
}

fn menu<R: Runtime>(app: &AppHandle<R>, standings: &[Standing]) -> tauri::Result<Menu<R>> {
    let mut builder = MenuBuilder::new(app);
    for standing in signed_in(standings) {
        builder = builder.item(&tauri::menu::MenuItem::with_id(
            app,
            format!("line:{}", standing.account_id),
            &standing.line,
            false,
            None::<&str>,
        )?);
        if standing.forecast.kind == ForecastKind::DaysLeft {
            builder = builder.item(&tauri::menu::MenuItem::with_id(
                app,
                format!("forecast:{}", standing.account_id),
                &standing.forecast.text,
                false,
                None::<&str>,
            )?);
        }
        builder = builder
            .text(format!("{TOP_UP}{}", standing.account_id), "Top up…")
            .separator();
    }
    builder
        .text(CHECK_NOW, "Check balances now")
        .text(OPEN, "Open Topup")
        .separator()
        .text(QUIT, "Quit")
        .build()
}

/// Windows and macOS show it on hover; Linux trays have no tooltip, and the
/// menu carries the same lines.
fn tooltip(standings: &[Standing]) -> String {
    let mut lines = vec!["Topup".to_owned()];
    for s in signed_in(standings) {
        lines.push(s.line.clone());
        if s.forecast.kind == ForecastKind::DaysLeft {
            lines.push(format!("  {}", s.forecast.text));
        }
    }
    lines.join("\n")
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    tracing::info!(item = id, "tray menu");
    if let Some(account) = id.strip_prefix(TOP_UP) {
        super::open_buy(app, account);
    } else if id == CHECK_NOW {
        if let Some(monitor) = app.try_state::<std::sync::Arc<Monitor>>() {
            monitor.check_all_now();
        }
    } else if id == OPEN {
        super::show_window(app);
    } else if id == QUIT {
        app.exit(0);
    }
}

/// The app's icon, with an amber dot in its top-right corner when `marked`.
fn icon<R: Runtime>(app: &AppHandle<R>, marked: bool) -> Option<Image<'static>> {
    let base = app.default_window_icon()?;
    let (width, height) = (base.width(), base.height());
    let mut rgba = base.rgba().to_vec();
    if marked {
        let radius = f64::from(width.min(height)) * 0.22;
        let (cx, cy) = (f64::from(width) - radius - 1.0, radius + 1.0);
        for y in 0..height {
            for x in 0..width {
                let (dx, dy) = (f64::from(x) + 0.5 - cx, f64::from(y) + 0.5 - cy);
                if dx * dx + dy * dy <= radius * radius {
                    let at = ((y * width + x) * 4) as usize;
                    if let Some(px) = rgba.get_mut(at..at + 4) {
                        px.copy_from_slice(&MARK);
                    }
                }
            }
        }
    }
    Some(Image::new_owned(rgba, width, height))
}

/// The mark's colour (amber, readable on light and dark panels).
pub const MARK: [u8; 4] = [0xf5, 0x9e, 0x0b, 0xff];
