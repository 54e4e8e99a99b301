//! The desktop's own fonts behind the page's generic families (Linux only).
//!
//! WebKitGTK asks fontconfig for every family of a `font-family` list, once
//! per size and weight on the page, and a family whose answer has another
//! name (`system-ui` answered by DejaVu Sans, say) is checked against every
//! alias fontconfig knows for it: about a hundred matches each time. With
//! the cross-platform stack that was 6,500 fontconfig matches in the first
//! paint, most of its time (`docs/benchmarks.md`, "Where the time goes").
//! So on Linux the page names only the generic families (`ui/src/lib/fonts.ts`),
//! which leaves one lookup per size and weight (864 matches instead of
//! 6,516), and WebKit's settings point those at the families the desktop
//! really uses, by their own names: GTK's interface font, and fontconfig's
//! monospace, each as Pango resolves it.

use gtk::prelude::{GtkSettingsExt, WidgetExt};
use tauri::{Runtime, WebviewWindow};
use webkit2gtk::{SettingsExt, WebViewExt};

/// The family of the interface font when GTK names none.
const INTERFACE_FALLBACK: &str = "Sans";
/// fontconfig's name for the monospace default.
const MONOSPACE: &str = "Monospace";

/// Points the webview's generic families at the desktop's fonts. A failure
/// leaves WebKit's defaults (the same fonts, found more slowly).
pub fn follow_desktop<R: Runtime>(window: &WebviewWindow<R>) {
    let queued = window.with_webview(|webview| {
        let view = webview.inner();
        let Some(settings) = WebViewExt::settings(&view) else {
            tracing::warn!("the webview has no settings: its fonts stay WebKit's defaults");
            return;
        };
        let context = view.pango_context();
        let interface = gtk::Settings::default()
            .and_then(|s| s.gtk_font_name())
            .map(|name| name.to_string())
            .unwrap_or_else(|| INTERFACE_FALLBACK.to_owned());
        match resolved(&context, &interface) {
            Some(family) => {
                settings.set_default_font_family(&family);
                settings.set_sans_serif_font_family(&family);
                tracing::debug!(%family, asked = %interface, "the page's sans-serif");
            }
            None => tracing::warn!(asked = %interface, "no font for the interface font's name"),
        }
        match resolved(&context, MONOSPACE) {
            Some(family) => {
                settings.set_monospace_font_family(&family);
                tracing::debug!(%family, "the page's monospace");
            }
            None => tracing::warn!("no monospace font"),
        }
    });
    if let Err(e) = queued {
        tracing::warn!(error = %e, "could not set the page's fonts");
    }
}

/// The family fontconfig answers a Pango font name (`"Cantarell 11"`,
/// `"Sans"`) with, by its own name.
fn resolved(context: &gtk::pango::Context, name: &str) -> Option<String> {
    let asked = gtk::pango::FontDescription::from_string(name);
    let font = context.load_font(&asked)?;
    use gtk::pango::prelude::FontExt;
    let family = font.describe().family()?.to_string();
    (!family.is_empty()).then_some(family)
}
