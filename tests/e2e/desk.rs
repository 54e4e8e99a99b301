//! Topup on the desktop: its tray item read by a tray host on the session
//! bus, low-balance alerts received by a notification server on it, the
//! network coming back as NetworkManager says it, closing the window to the
//! tray, and start at login as the XDG autostart file.

use topup_sandbox::{demo, Sandbox, Urls};

use crate::harness::{
    app_is_running, app_thread_names, close_like_the_window_manager, put_json, topup_window,
    wait_until, App, NetworkManager, Notifications, Profile, Result, TrayHost, NM_CONNECTED_GLOBAL,
    NM_DISCONNECTED,
};

/// The demo Clara account's line in the tray menu.
fn clara_line(credits: &str) -> String {
    format!("Clara · {} — {credits} credits", demo::USER_EMAIL)
}

async fn set_credits(urls: &Urls, credits: u32) -> Result {
    put_json(
        &format!("{}/clara/users/{}/credits", urls.admin, demo::USER_EMAIL),
        serde_json::json!({ "credits": credits }),
    )
    .await
    .map(drop)
}

/// Clicks the tray's "Check balances now" and waits for the menu to show `line`.
async fn check_now(tray: &TrayHost, line: &str) -> Result {
    let item = tray.read().await?;
    tray.click(item.entry("Check balances now", 0)?).await?;
    tray.wait_for_entry(line).await.map(drop)
}

/// The window shows the account's home (its balance) with the cursor in the
/// amount field: what "Top up…" and the notification's action open.
async fn expect_buy_screen(app: &App, balance: &str) -> Result {
    app.wait_for_attr("[data-testid='balance']", "data-value", balance)
        .await?;
    app.wait_until_focused("amount").await
}

async fn visibility(app: &App) -> Result<String> {
    Ok(app
        .eval("return document.visibilityState")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn wait_for_visibility(app: &App, wanted: &str) -> Result {
    wait_until(&format!("the window to be {wanted}"), async || {
        Ok(visibility(app).await? == wanted)
    })
    .await
}

async fn set_alert(app: &App, threshold: &str) -> Result {
    app.click("[data-testid='open-settings']").await?;
    app.type_into("[data-testid='alert-threshold']", threshold)
        .await?;
    app.click("[data-testid='alert-save']").await?;
    app.wait_for_text("[data-testid='toast']", "Alert set for")
        .await?;
    app.click("[data-testid='settings-back']").await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn the_tray_lists_each_account_with_its_balance_and_tops_up_from_its_menu() -> Result {
    let tray = TrayHost::start().await?;
    let sandbox = Sandbox::start(topup_sandbox::Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("desk_tray", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            let item = tray.wait_for_entry(&clara_line("1,000")).await?;
            assert_eq!(
                item.labels(),
                [
                    clara_line("1,000"),
                    "Top up…".into(),
                    "Check balances now".into(),
                    "Open Topup".into(),
                    "Quit".into()
                ]
            );
            assert!(
                !item.entry(&clara_line("1,000"), 0)?.enabled,
                "a line, not a command"
            );

            // A second account, a service without a balance, is the one in use.
            app.click("[data-testid='open-settings']").await?;
            app.click("[data-testid='settings-add-account']").await?;
            app.add_sandbox_dispersed_and_sign_in(&urls).await?;
            let dispersed = "Dispersed · Dispersed — no purchases yet";
            let item = tray.wait_for_entry(dispersed).await?;
            assert_eq!(
                item.labels(),
                [
                    clara_line("1,000"),
                    "Top up…".into(),
                    dispersed.into(),
                    "Top up…".into(),
                    "Check balances now".into(),
                    "Open Topup".into(),
                    "Quit".into()
                ]
            );
            item.save_for_docs("tray-menu")?;

            // "Top up…" under the Clara line: its home, the amount ready to type.
            tray.click(item.entry("Top up…", 0)?).await?;
            expect_buy_screen(app, "1000").await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_balance_under_the_threshold_notifies_once_until_it_recovers_and_the_action_tops_up(
) -> Result {
    let tray = TrayHost::start().await?;
    let notifications = Notifications::start().await?;
    let sandbox = Sandbox::start(topup_sandbox::Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("desk_alert", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            let calm = tray.wait_for_entry(&clara_line("1,000")).await?;
            set_alert(app, "950").await?;

            // A day of use: 100 credits spent.
            profile.set_app_clock_ahead(24 * 60 * 60)?;
            set_credits(&urls, 900).await?;
            check_now(&tray, &format!("{} (low)", clara_line("900"))).await?;
            let sent = notifications.wait_for(1).await?;
            assert_eq!(sent[0].summary, format!("Low on credits: Clara · {}", demo::USER_EMAIL));
            assert_eq!(
                sent[0].body,
                "900 credits left, under your alert at 950. At your pace of the last day, about 9 days left."
            );
            assert!(sent[0].actions.contains(&("top-up".into(), "Top up".into())), "{:?}", sent[0].actions);
            let marked = tray.read().await?;
            assert_ne!(marked.icon, calm.icon, "the icon carries a mark");
            app.wait_for_text("[data-testid='low-balance-alert']", "Low on credits")
                .await?;
            app.screenshot_for_docs("home-low-balance").await?;

            // Lower still: no second notification.
            set_credits(&urls, 800).await?;
            check_now(&tray, &format!("{} (low)", clara_line("800"))).await?;
            // Back above, then below again the same day: still none.
            set_credits(&urls, 1200).await?;
            check_now(&tray, &clara_line("1,200")).await?;
            set_credits(&urls, 700).await?;
            check_now(&tray, &format!("{} (low)", clara_line("700"))).await?;
            assert_eq!(notifications.all().len(), 1, "{:?}", notifications.all());
            // A day later, still below: the alert that was held back.
            profile.set_app_clock_ahead(2 * 24 * 60 * 60)?;
            let item = tray.read().await?;
            tray.click(item.entry("Check balances now", 0)?).await?;
            let sent = notifications.wait_for(2).await?;
            assert_eq!(sent.len(), 2);
            assert!(sent[1].body.starts_with("700 credits left, under your alert at 950."), "{}", sent[1].body);

            // Its "Top up" action opens the buy screen of that account.
            app.click("[data-testid='open-settings']").await?;
            app.find("[data-testid='alert-row']").await?;
            app.eval("document.querySelector(\"[data-testid='desk-settings']\").scrollIntoView()")
                .await?;
            app.screenshot_for_docs("settings-alerts").await?;
            notifications.invoke(sent[1].id, "top-up").await?;
            expect_buy_screen(app, "700").await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn credits_that_land_while_the_window_is_away_are_notified() -> Result {
    let notifications = Notifications::start().await?;
    let sandbox = Sandbox::start(topup_sandbox::Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile.browse("pay 4242424242424242")?;
    profile
        .launch("desk_landed", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.click("[data-testid='buy']").await?;
            // The person is in the browser, not in Topup.
            let _other = crate::window::focus_another_window().await?;
            let sent = notifications.wait_for(1).await?;
            assert_eq!(sent[0].summary, "Credits added");
            assert_eq!(
                sent[0].body,
                "500 credits for $5.00 arrived. New balance: 1500."
            );
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn start_at_login_writes_and_removes_the_autostart_entry() -> Result {
    let profile = Profile::new()?;
    let entry = profile.home().join(".config/autostart/Topup.desktop");
    profile
        .launch("desk_autostart", &[], async |app| {
            app.click("[data-testid='open-settings']").await?;
            app.click("[data-testid='start-at-login']").await?;
            crate::harness::wait_until(
                "the autostart entry to appear",
                async || Ok(entry.exists()),
            )
            .await?;
            let text = std::fs::read_to_string(&entry)?;
            let exec = text
                .lines()
                .find(|l| l.starts_with("Exec="))
                .ok_or("no Exec line")?;
            assert_eq!(
                exec,
                format!("Exec={} --background", crate::harness::app_binary())
            );
            app.click("[data-testid='start-at-login']").await?;
            crate::harness::wait_until("the autostart entry to go", async || Ok(!entry.exists()))
                .await?;
            Ok(())
        })
        .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn started_at_login_it_waits_in_the_tray_until_open_topup() -> Result {
    let tray = TrayHost::start().await?;
    let profile = Profile::new()?;
    profile
        .launch("desk_background", &["--background"], async |app| {
            let item = tray.wait_for_entry("Open Topup").await?;
            assert_eq!(visibility(app).await?, "hidden", "no window at login");
            tray.click(item.entry("Open Topup", 0)?).await?;
            wait_for_visibility(app, "visible").await?;
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            Ok(())
        })
        .await
}

/// zbus sets up each D-Bus connection (the single instance, the keychain, the
/// tray, NetworkManager) on the `blocking` crate's pool, whose 1.7.0 kept an
/// idle thread for ever, waking it twice a second (`patches/blocking`).
#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn idle_on_its_home_it_keeps_no_thread_that_wakes_on_a_timer() -> Result {
    let tray = TrayHost::start().await?;
    let _network = NetworkManager::start().await?;
    let sandbox = Sandbox::start(topup_sandbox::Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("desk_idle", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            tray.wait_for_entry(&clara_line("1,000")).await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;
            wait_until("the D-Bus set-up's pool threads to end", async || {
                Ok(!app_thread_names()?
                    .iter()
                    .any(|name| name.starts_with("blocking-")))
            })
            .await
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn the_network_coming_back_checks_the_balance_at_once() -> Result {
    let tray = TrayHost::start().await?;
    let network = NetworkManager::start().await?;
    let sandbox = Sandbox::start(topup_sandbox::Config::default()).await?;
    let urls = sandbox.urls().clone();
    let faults = format!("{}/faults", urls.admin);
    let profile = Profile::new()?;
    profile
        .launch("desk_network", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            tray.wait_for_entry(&clara_line("1,000")).await?;

            // Off line: the server cannot be reached, and the check asked
            // for fails (the next one would wait 30 minutes).
            network.set_state(NM_DISCONNECTED).await?;
            put_json(
                &faults,
                serde_json::json!({"rules": [{"path": "/api/v1/users/*", "method": "GET", "kind": "reset"}]}),
            )
            .await?;
            set_credits(&urls, 800).await?;
            let item = tray.read().await?;
            tray.click(item.entry("Check balances now", 0)?).await?;
            wait_until("the check to fail", async || {
                Ok(profile.app_log().contains("balance check failed; backing off"))
            })
            .await?;
            assert_eq!(tray.read().await?.labels()[0], clara_line("1,000"));

            // Back on line, as NetworkManager says: checked at once.
            put_json(&faults, serde_json::json!({"rules": []})).await?;
            network.set_state(NM_CONNECTED_GLOBAL).await?;
            tray.wait_for_entry(&clara_line("800")).await?;
            assert!(profile.app_log().contains("the network is back: checking balances"));
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn closing_the_window_with_an_alert_asks_once_then_keeps_topup_in_the_tray() -> Result {
    let tray = TrayHost::start().await?;
    let sandbox = Sandbox::start(topup_sandbox::Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("desk_close", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            tray.wait_for_entry(&clara_line("1,000")).await?;
            set_alert(app, "500").await?;
            let window = topup_window().await?;

            // The first close with an alert on explains, and asks.
            close_like_the_window_manager(window, async || {
                Ok(app.count("dialog[open]").await? == 1)
            })
            .await?;
            app.wait_for_text("dialog[open]", "Keep Topup in the tray?")
                .await?;
            assert_eq!(visibility(app).await?, "visible", "nothing closed yet");
            // Clicked from the page: a WebDriver click waits for the page's
            // next frame, and a window that hides paints none.
            app.eval(
                "document.querySelector(\"dialog[open] [data-testid='dialog-confirm']\").click()",
            )
            .await?;
            wait_for_visibility(app, "hidden").await?;
            assert!(app_is_running().await?, "Topup still runs, in the tray");

            // "Open Topup" brings it back; the next close hides it at once.
            let item = tray.read().await?;
            tray.click(item.entry("Open Topup", 0)?).await?;
            wait_for_visibility(app, "visible").await?;
            assert_eq!(app.count("dialog[open]").await?, 0, "asked only once");
            close_like_the_window_manager(window, async || Ok(visibility(app).await? == "hidden"))
                .await?;
            assert_eq!(app.count("dialog[open]").await?, 0, "not asked again");

            // The tray's Quit ends it.
            let item = tray.read().await?;
            tray.click(item.entry("Quit", 0)?).await?;
            wait_until("Topup to quit", async || Ok(!app_is_running().await?)).await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}
