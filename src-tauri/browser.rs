//! The system browser: every page Topup opens (checkout, the billing portal,
//! Google's consent page) goes through [`SystemBrowser::open`], after core's
//! URL policy accepted it.
//!
//! On Linux the page is handed to the person's default browser through GIO,
//! which GTK apps use for the same job (it reads the same `mimeapps.list` as
//! `xdg-open`, and goes through the desktop portal inside a Flatpak). GIO
//! lets Topup take its own WebKit variables (`webkit.rs`) out of the
//! browser's environment: a browser started by Topup must not run the web
//! without a JIT, or without compositing, because Topup's own small page
//! does. Where GIO knows no browser, the opener plugin's `xdg-open` (with its
//! `$BROWSER` and its list of known browsers) is the fallback, and it
//! inherits the variables. Elsewhere the opener plugin is the system's way.

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use topup_core::Error;

/// How Topup opens pages in the system browser. Managed by the app.
#[derive(Debug)]
pub struct SystemBrowser {
    /// The variables Topup set for itself, not to be passed on (only Linux
    /// sets any).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    own_variables: Vec<&'static str>,
}

impl SystemBrowser {
    pub fn new(own_variables: Vec<&'static str>) -> Self {
        Self { own_variables }
    }

    /// Opens `url` in the person's browser.
    pub fn open<R: Runtime>(&self, app: &AppHandle<R>, url: &url::Url) -> Result<(), Error> {
        #[cfg(target_os = "linux")]
        match self.open_with_gio(url) {
            Ok(()) => return Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "GIO opened no browser: trying xdg-open");
            }
        }
        app.opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(Error::no_browser)
    }

    #[cfg(target_os = "linux")]
    fn open_with_gio(&self, url: &url::Url) -> Result<(), gtk::glib::Error> {
        use gtk::gio;
        use gtk::gio::prelude::AppLaunchContextExt;
        let context = gio::AppLaunchContext::new();
        for variable in &self.own_variables {
            context.unsetenv(variable);
        }
        gio::AppInfo::launch_default_for_uri(url.as_str(), Some(&context))
    }
}
