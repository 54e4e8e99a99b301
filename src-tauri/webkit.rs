//! WebKitGTK set up for a small, mostly static app (Linux only).
//!
//! WebKitGTK composites by default: a GL context (software-rendered where
//! there is no GPU), the compositor's layers and the DMA-BUF buffers it hands
//! to the window. Topup shows one page of text and a few buttons, which
//! WebKit paints just as well straight into the window's surface, for about
//! 80 MiB less and a faster first frame. Its JavaScript is a small UI that
//! runs in bursts, which JavaScriptCore's interpreter runs about as fast as
//! its JIT, without the JIT's executable memory (about 9 MiB less, and no
//! writable-then-executable pages in the web process). `docs/benchmarks.md`
//! has the A/B figures of every knob tried (these two kept; CPU painting, the
//! JIT's top tiers alone, the cache model and the page cache measured and
//! left alone) and why the kept ones are safe on a desktop with a real GPU.
//!
//! WebKit reads these choices from the environment only: the settings API's
//! hardware-acceleration policy "never", set on a view that already exists
//! (Tauri gives no earlier hook), leaves the page unpainted, and
//! JavaScriptCore has no setting but its `JSC_` variables. So
//! [`prepare_environment`] sets them before any thread starts, each unless
//! the person set it themselves (their value wins).
//! `TOPUP_WEBKIT_TUNING=none` leaves WebKit at its defaults, and a list of
//! knobs (`no-compositing,no-jit`) picks some. The variables Topup set are
//! taken out again for what it starts (`browser.rs`): a browser must not run
//! the web without a JIT because Topup does.

use std::fmt;

/// The variable that chooses the tuning.
pub const VAR: &str = "TOPUP_WEBKIT_TUNING";
/// The variable that turns WebKit's compositing off.
const COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
/// The variable that turns JavaScriptCore's JIT off (every tier).
const JIT: &str = "JSC_useJIT";

/// Which of Topup's WebKit knobs are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// No compositing mode: the page painted straight into the window's
    /// surface, without the GL context and the compositor's layers.
    pub no_compositing: bool,
    /// No JIT: JavaScriptCore's interpreter only.
    pub no_jit: bool,
}

const KNOBS: [&str; 2] = ["no-compositing", "no-jit"];

impl Tuning {
    /// What Topup ships with.
    pub const SHIPPED: Self = Self {
        no_compositing: true,
        no_jit: true,
    };
    /// WebKit's own defaults.
    pub const NONE: Self = Self {
        no_compositing: false,
        no_jit: false,
    };

    /// The tuning `TOPUP_WEBKIT_TUNING` asks for: unset or empty is what
    /// ships, `none` is WebKit's defaults, otherwise the knobs named.
    pub fn parse(value: Option<&str>) -> Result<Self, UnknownKnob> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Self::SHIPPED);
        };
        if value.eq_ignore_ascii_case("none") {
            return Ok(Self::NONE);
        }
        let mut tuning = Self::NONE;
        for knob in value.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            match knob.to_ascii_lowercase().as_str() {
                "no-compositing" => tuning.no_compositing = true,
                "no-jit" => tuning.no_jit = true,
                _ => return Err(UnknownKnob(knob.to_owned())),
            }
        }
        Ok(tuning)
    }
}

/// A knob `TOPUP_WEBKIT_TUNING` named that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKnob(pub String);

impl fmt::Display for UnknownKnob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no WebKit knob called {:?} (known: none, {})",
            self.0,
            KNOBS.join(", ")
        )
    }
}

/// What [`prepare_environment`] found and did, logged once logging runs.
#[derive(Debug)]
pub struct Prepared {
    pub tuning: Tuning,
    /// What `TOPUP_WEBKIT_TUNING` named that is no knob.
    pub unknown: Option<UnknownKnob>,
    /// The variables Topup set (the person had not): what it takes out of
    /// the environment of the programs it starts.
    pub set: Vec<&'static str>,
}

/// Reads `TOPUP_WEBKIT_TUNING` and sets the environment the tuning needs.
/// Must run first in `main`, before any thread exists: changing the
/// environment races with every other thread's reads of it.
pub fn prepare_environment() -> Prepared {
    let value = std::env::var(VAR).ok();
    let (tuning, unknown) = match Tuning::parse(value.as_deref()) {
        Ok(t) => (t, None),
        // A typo never keeps Topup from starting.
        Err(e) => (Tuning::SHIPPED, Some(e)),
    };
    let mut set = Vec::new();
    let wanted = [
        (tuning.no_compositing, COMPOSITING, "1"),
        (tuning.no_jit, JIT, "0"),
    ];
    for (on, variable, value) in wanted {
        if on && std::env::var_os(variable).is_none() {
            std::env::set_var(variable, value);
            set.push(variable);
        }
    }
    Prepared {
        tuning,
        unknown,
        set,
    }
}

impl Prepared {
    pub fn log(&self) {
        if let Some(e) = &self.unknown {
            tracing::warn!(error = %e, "{VAR} ignored: the shipped tuning is used");
        }
        tracing::debug!(tuning = ?self.tuning, set = ?self.set, "WebKit tuning");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_empty_is_what_ships_and_none_is_webkits_defaults() {
        assert_eq!(Tuning::parse(None), Ok(Tuning::SHIPPED));
        assert_eq!(Tuning::parse(Some(" ")), Ok(Tuning::SHIPPED));
        assert_eq!(Tuning::parse(Some("None")), Ok(Tuning::NONE));
        assert_eq!(
            Tuning::parse(Some("no-compositing, No-JIT")),
            Ok(Tuning::SHIPPED)
        );
        assert_eq!(
            Tuning::parse(Some("no-jit")),
            Ok(Tuning {
                no_compositing: false,
                no_jit: true
            })
        );
    }

    #[test]
    fn an_unknown_knob_is_refused_with_the_known_ones() {
        let e = Tuning::parse(Some("no-compositing,fast")).unwrap_err();
        assert_eq!(e, UnknownKnob("fast".into()));
        assert_eq!(
            e.to_string(),
            "no WebKit knob called \"fast\" (known: none, no-compositing, no-jit)"
        );
    }
}
