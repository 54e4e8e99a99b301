//! Tauri commands, one module per domain. Each parses its arguments, calls core
//! and maps the result; none holds logic of its own.

pub mod accounts;
pub mod app;
pub mod desk;
pub mod google;
pub mod pricing;
pub mod providers;
pub mod purchases;
pub mod settings;
pub mod updates;
