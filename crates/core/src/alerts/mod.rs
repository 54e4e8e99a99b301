//! Living on the desktop: what every signed-in account stands at (balance,
//! forecast, low-balance alert), the background refresh that keeps it true
//! ([`monitor`]), and the rules behind the alert ([`rule`]) and the forecast
//! ([`forecast`]). The tray, the home screen and the CLI all show a
//! [`Standing`]; none of them computes one.

pub mod forecast;
pub mod monitor;
pub mod observations;
pub(crate) mod recent;
pub mod rule;
pub(crate) mod standing;
pub mod store;

pub use forecast::{Forecast, ForecastKind};
pub use monitor::{DeskSink, LowBalance, Monitor};
pub use observations::Observation;
pub use standing::{parse_threshold, Closing, Read, Standing};
