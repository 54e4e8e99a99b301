//! Watching a pending purchase until its credits land, in three rooms:
//!
//! - [`schedule`]: when to check and what each answer means (pure logic on
//!   injected time: [`Schedule`], [`Watcher`], [`WatchState`]);
//! - [`run`]: the loop that sleeps, asks the provider and reports ([`watch`]);
//! - [`supervisor`]: the running watches of every account, how each one ends
//!   (the receipt, the purchase forgotten) and who hears about it — the one
//!   piece the window, the CLI and the tray share ([`Supervisor`]).

pub mod run;
pub mod schedule;
pub mod supervisor;

pub use run::{quick_schedule, watch, Job, Signal};
pub use schedule::{Progress, Schedule, WatchState, Watcher};
pub use supervisor::{PurchaseProgress, PurchaseView, Receipt, Supervisor, WatchSink};
