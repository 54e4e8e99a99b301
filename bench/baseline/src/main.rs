//! The baseline for `make bench`: what `create-tauri-app` gives, one window
//! and a static page, plus the two moments the start-up benchmark stops its
//! clock at, printed on stdout: the page has loaded (the webview's load
//! event), and its first frame has been painted (the page's two-frame
//! callback, as Topup reports its balance).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::{SystemTime, UNIX_EPOCH};

use tauri::webview::PageLoadEvent;

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

mod commands {
    #[tauri::command]
    pub fn painted() {
        println!("page painted at_ms={}", super::now_ms());
    }
}

fn main() {
    let run = tauri::Builder::default()
        .on_page_load(|_, payload| {
            if payload.event() == PageLoadEvent::Finished {
                println!("page loaded at_ms={}", now_ms());
            }
        })
        .invoke_handler(tauri::generate_handler![commands::painted])
        .run(tauri::generate_context!());
    if let Err(e) = run {
        eprintln!("topup-bench-baseline: {e}");
        std::process::exit(1);
    }
}
