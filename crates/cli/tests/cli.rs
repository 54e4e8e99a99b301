//! The built `topup-cli` against a Sandbox, with the real Secret Service
//! (run by `tests/e2e/run.sh`: a private D-Bus session and an unlocked
//! gnome-keyring). Prompts are answered through a pseudo-terminal, which is
//! why the file is built on Unix only.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use rexpect::process::wait::WaitStatus;
use serde_json::Value;
use support::json_of;
use topup_sandbox::{demo, Config, Sandbox};

const BIN: &str = env!("CARGO_BIN_EXE_topup-cli");
const DEADLINE: Duration = Duration::from_secs(20);

fn cli(config: &Path, args: &[&str]) -> Command {
    // A command at a terminal looks for a new Topup once a day: not at GitHub
    // from the tests, unless a test set its own preferences.
    let preferences = config.join("preferences.json");
    if !preferences.exists() {
        std::fs::create_dir_all(config).unwrap();
        std::fs::write(&preferences, r#"{"check_for_updates": false}"#).unwrap();
    }
    let mut c = Command::new(BIN);
    c.arg("--config-dir").arg(config).args(args);
    c.env_remove("TOPUP_ACCOUNT");
    c
}

fn run(config: &Path, args: &[&str]) -> Output {
    cli(config, args)
        .stdin(Stdio::null())
        .output()
        .expect("topup-cli runs")
}

/// `buy <amount> --wait` started in the background, as a script would: no
/// browser, no question, its output kept for the test to read.
fn buy_and_wait(config: &Path, amount: &str) -> Child {
    cli(
        config,
        &["--json", "buy", amount, "--wait", "--no-browser", "--yes"],
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

async fn admin_get(sandbox: &Sandbox, path: &str) -> Value {
    reqwest::get(format!("{}{path}", sandbox.urls().admin))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A test-hook request with a JSON body; its status.
async fn admin_send(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> reqwest::StatusCode {
    reqwest::Client::new()
        .request(method, format!("{}{path}", sandbox.urls().admin))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Pays the checkout session with the test card that succeeds.
async fn pay(sandbox: &Sandbox, session: &str) {
    assert_eq!(
        admin_send(
            sandbox,
            reqwest::Method::POST,
            &format!("/checkout/{session}/pay"),
            serde_json::json!({"card": "4242424242424242"})
        )
        .await,
        200
    );
}

/// The one open checkout session, once the CLI has created it.
async fn open_session(sandbox: &Sandbox) -> String {
    topup_test_support::wait_for("a checkout to be created", DEADLINE, async || {
        let list = admin_get(sandbox, "/checkout").await;
        let open = list.as_array()?.iter().find(|s| s["status"] == "open")?;
        Some(open["id"].as_str()?.to_owned())
    })
    .await
}

/// A custom Clara account on the Sandbox, in a fresh config directory.
fn add_account(config: &Path, sandbox: &Sandbox) -> String {
    let urls = sandbox.urls();
    let out = run(
        config,
        &[
            "--json",
            "add",
            "custom",
            "--base-url",
            &urls.clara,
            "--public-key",
            demo::CLARA_PUBLIC_KEY,
            "--checkout-origin",
            &urls.base,
        ],
    );
    assert!(out.status.success(), "{out:?}");
    json_of(&out)["id"].as_str().unwrap().to_owned()
}

/// `count` old transactions for the demo user, ten minutes apart, the newest
/// ten minutes ago: every tenth a purchase, the rest deductions.
async fn seed_history(sandbox: &Sandbox, count: u32) {
    assert_eq!(
        admin_send(
            sandbox,
            reqwest::Method::POST,
            &format!("/clara/users/{}/history", demo::USER_EMAIL),
            serde_json::json!({ "count": count })
        )
        .await,
        200
    );
}

async fn clear_requests(sandbox: &Sandbox) {
    let status = reqwest::Client::new()
        .delete(format!("{}/requests", sandbox.urls().admin))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
}

/// How many times the account itself (`GET /users/{id}`, not its
/// transactions) was read since the log was cleared.
async fn account_reads(sandbox: &Sandbox) -> usize {
    let log = admin_get(sandbox, "/requests?method=GET&path=/api/v1/users/*").await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let path = e["path"].as_str().unwrap();
            !path["/api/v1/users/".len()..].contains('/')
        })
        .count()
}

/// Types the two-factor code the Sandbox emailed at the login's "Code: "
/// prompt; the login then ends signed in.
async fn type_the_emailed_code(p: &mut rexpect::session::PtySession, sandbox: &Sandbox) {
    let otp = admin_get(
        sandbox,
        &format!("/otp?email={}&type=TWO_FACTOR_AUTH", demo::TWO_FA_EMAIL),
    )
    .await;
    p.send_line(otp["code"].as_str().unwrap()).unwrap();
    p.exp_string("Signed in to 127.0.0.1").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(p.process.wait().unwrap()), 0);
}

fn exit_code(status: WaitStatus) -> i32 {
    match status {
        WaitStatus::Exited(_, code) => code,
        other => panic!("topup-cli did not exit normally: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn two_factor_login_through_prompts_then_buy_and_wait_with_json() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let id = add_account(config.path(), &sandbox);

    // The prompts, in a pseudo-terminal: email given, password and code typed.
    let mut login = cli(config.path(), &["login", "--email", demo::TWO_FA_EMAIL]);
    login.stdin(Stdio::inherit());
    let mut p = rexpect::session::spawn_command(login, Some(20_000)).unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line(demo::PASSWORD).unwrap();
    p.exp_string("A code was sent to").unwrap();
    p.exp_string("Code: ").unwrap();
    type_the_emailed_code(&mut p, &sandbox).await;

    // The secret is in the keychain, not in the config directory.
    for entry in std::fs::read_dir(config.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        assert!(!text.contains("crazi_co_user_"), "no token on disk");
    }

    clear_requests(&sandbox).await;
    let balance = json_of(&run(config.path(), &["--json", "balance"]));
    assert_eq!(balance["balance"], "1000");
    assert_eq!(balance["account_id"], id.as_str());
    // The command's own read proves the session: the account is read once.
    assert_eq!(account_reads(&sandbox).await, 1);
    let price = json_of(&run(config.path(), &["--json", "price"]));
    assert_eq!(price["prices"]["tiers"][0]["credits_per_unit"], "100");
    assert_eq!(price["min"]["minor"], 500);

    // buy --wait: paid through the Sandbox's test endpoint while it watches.
    let buying = buy_and_wait(config.path(), "5");
    let session = open_session(&sandbox).await;
    // Two more checks of the balance while unpaid: a script's stderr still
    // says "waiting" once, not once per check.
    let balance_reads = async || {
        let log = admin_get(&sandbox, "/requests?method=GET&path=/api/v1/users/*").await;
        log.as_array().map_or(0, Vec::len)
    };
    let before = balance_reads().await;
    topup_test_support::wait_for("two checks while unpaid", DEADLINE, async || {
        (balance_reads().await >= before + 2).then_some(())
    })
    .await;
    pay(&sandbox, &session).await;
    let out = tokio::task::spawn_blocking(move || buying.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("Waiting for the payment").count(),
        1,
        "state changes only: {stderr}"
    );
    let landed = json_of(&out);
    assert_eq!(landed["outcome"], "landed");
    assert_eq!(landed["credits"], "500");
    assert_eq!(landed["balance"], "1500");

    let history = json_of(&run(config.path(), &["--json", "history", "--limit", "1"]));
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["credits"], "500");
    assert_eq!(history[0]["incoming"], true);

    let portal = json_of(&run(config.path(), &["--json", "portal", "--no-browser"]));
    let portal_url = portal["portal_url"].as_str().unwrap().to_owned();
    assert!(portal_url.starts_with(&format!("{}/stripe/p/session/", sandbox.urls().base)));
    // Said as what it is: the billing portal, not a page to pay on.
    let out = run(config.path(), &["portal", "--no-browser"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Open this page to manage your billing:\n"
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with(&format!("{}/stripe/p/session/", sandbox.urls().base)));

    // Signed out: the keychain entry is gone and commands say how to sign in.
    assert!(run(config.path(), &["logout"]).status.success());
    let out = run(config.path(), &["--json", "balance"]);
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json_of(&out)["error"]["code"], "session_expired");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn exit_codes_tell_expired_cancelled_refused_and_usage_apart() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let clara = add_account(config.path(), &sandbox);
    login_with_token(config.path(), &sandbox).await;

    // A bad command line, and an amount refused before anything is sent.
    assert_eq!(run(config.path(), &["buy"]).status.code(), Some(2));
    let out = run(config.path(), &["--json", "buy", "4", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"]["code"], "invalid_amount");
    assert_eq!(
        run(config.path(), &["buy", "5"]).status.code(),
        Some(2),
        "no terminal to confirm: asks for --yes"
    );

    // Expired while waiting: 3. (Dispersed reconciles by checkout session,
    // so it sees an expiry at once; a key pair read from stdin.)
    let dispersed = run(
        config.path(),
        &[
            "--json",
            "add",
            "dispersed",
            "--base-url",
            &sandbox.urls().dispersed,
            "--checkout-origin",
            &sandbox.urls().base,
        ],
    );
    let dispersed = json_of(&dispersed)["id"].as_str().unwrap().to_owned();
    let mut login = cli(config.path(), &["login", "--key-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = login.stdin.take().unwrap();
        writeln!(
            stdin,
            "{}\n{}",
            demo::DISPERSED_PUBLIC_KEY,
            demo::DISPERSED_SECRET_KEY
        )
        .unwrap();
    }
    assert!(login.wait().unwrap().success());
    let balance = json_of(&run(
        config.path(),
        &["--json", "-a", &dispersed, "balance"],
    ));
    assert_eq!(
        balance["balance"],
        Value::Null,
        "Dispersed publishes no balance"
    );
    let waiting = buy_and_wait(config.path(), "10");
    let session = open_session(&sandbox).await;
    assert_eq!(
        admin_send(
            &sandbox,
            reqwest::Method::POST,
            &format!("/checkout/{session}/expire"),
            serde_json::json!({})
        )
        .await,
        200
    );
    let out = tokio::task::spawn_blocking(move || waiting.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(json_of(&out)["outcome"], "expired");
    assert!(run(config.path(), &["use", &clara]).status.success());

    // Ctrl-C while waiting: 4, and the purchase is no longer pending.
    let mut p = rexpect::session::spawn_command(
        cli(
            config.path(),
            &["buy", "5", "--wait", "--no-browser", "--yes"],
        ),
        Some(20_000),
    )
    .unwrap();
    p.exp_string("Waiting for the payment").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(p.process.wait().unwrap()), 4);
    let pending = std::fs::read_to_string(config.path().join("pending.json")).unwrap_or_default();
    assert!(!pending.contains("cs_"), "{pending}");

    // Declining the confirmation: 4, nothing created.
    let before = admin_get(&sandbox, "/checkout")
        .await
        .as_array()
        .unwrap()
        .len();
    let mut p = rexpect::session::spawn_command(
        cli(config.path(), &["buy", "5", "--no-browser"]),
        Some(20_000),
    )
    .unwrap();
    // The account's name is "<email> · <host>"; the pty reads bytes as
    // Latin-1, so the two ASCII ends are matched around the middle dot.
    p.exp_string(&format!(
        "Buy 500 credits for $5.00 on {}",
        demo::USER_EMAIL
    ))
    .unwrap();
    p.exp_string("127.0.0.1? [y/N]").unwrap();
    p.send_line("n").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(p.process.wait().unwrap()), 4);
    assert_eq!(
        admin_get(&sandbox, "/checkout")
            .await
            .as_array()
            .unwrap()
            .len(),
        before
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn history_pages_and_searches_one_download_from_a_server_that_ignores_paging() {
    let sandbox = Sandbox::start(Config {
        quirks: topup_sandbox::Quirks::Boilerplate,
        ..Config::default()
    })
    .await
    .unwrap();
    let config = tempfile::tempdir().unwrap();
    add_account(config.path(), &sandbox);
    login_with_token(config.path(), &sandbox).await;
    seed_history(&sandbox, 1000).await;
    clear_requests(&sandbox).await;
    let out = run(
        config.path(),
        &["--json", "history", "--page", "3", "--limit", "45"],
    );
    assert!(out.status.success(), "{out:?}");
    let entries = json_of(&out);
    assert_eq!(
        entries.as_array().unwrap().len(),
        45,
        "pages 3, 4 and part of 5"
    );
    let transactions = admin_get(
        &sandbox,
        "/requests?method=GET&path=/api/v1/users/*/transactions",
    )
    .await;
    assert_eq!(transactions.as_array().unwrap().len(), 1, "one download");

    let out = run(
        config.path(),
        &["history", "--search", "bought", "--page", "5"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 20);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Entries 81–100 of 100.\n"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn two_factor_without_the_public_key_takes_a_code_received_another_way() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let urls = sandbox.urls();
    let out = run(config.path(), &["add", "custom", "--base-url", &urls.clara]);
    assert!(out.status.success(), "{out:?}");
    // Said when the account is added, not found at the first Buy.
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with(
            "note: This account's server is on this computer. Checkout pages on checkout.stripe.com open as usual"
        ),
        "{out:?}"
    );

    let mut login = cli(config.path(), &["login", "--email", demo::TWO_FA_EMAIL]);
    login.stdin(Stdio::inherit());
    let mut p = rexpect::session::spawn_command(login, Some(20_000)).unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line(demo::PASSWORD).unwrap();
    p.exp_string("Topup cannot ask 127.0.0.1 to email a code: this account has no public API key.")
        .unwrap();
    p.exp_string("in the app's Settings").unwrap();
    p.exp_string("Code: ").unwrap();
    // The service's web page emailed it, say: asked for here with the key
    // Topup does not have.
    let sent = reqwest::Client::new()
        .post(format!(
            "{}/users/{}/otp/TWO_FACTOR_AUTH",
            urls.clara,
            demo::TWO_FA_EMAIL
        ))
        .header("Authorization", demo::CLARA_PUBLIC_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    type_the_emailed_code(&mut p, &sandbox).await;
    sandbox.shutdown().await;
}

/// Signs the Clara account in with the demo user's API-key token from stdin.
async fn login_with_token(config: &Path, sandbox: &Sandbox) {
    let token = admin_get(
        sandbox,
        &format!("/clara/users/{}/api_key", demo::USER_EMAIL),
    )
    .await;
    let mut login = cli(config, &["login", "--token-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = login.stdin.take().unwrap();
        writeln!(stdin, "{}", token["token"].as_str().unwrap()).unwrap();
    }
    assert!(login.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn scripts_get_the_resumed_link_and_the_code_of_the_last_cause() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    add_account(config.path(), &sandbox);
    login_with_token(config.path(), &sandbox).await;

    // A purchase left pending, then picked up by `--json buy --wait`: the
    // link is on stderr as for a new one, so the script can pay it.
    let started = json_of(&run(
        config.path(),
        &["--json", "buy", "5", "--no-browser", "--yes"],
    ));
    let url = started["checkout_url"].as_str().unwrap().to_owned();
    let mut resumed = buy_and_wait(config.path(), "5");
    let stderr = resumed.stderr.take().unwrap();
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    let rest = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok);
        let _ = first_tx.send(lines.next().unwrap_or_default());
        lines.collect::<Vec<_>>()
    });
    let first_line = first_rx.await.unwrap();
    assert_eq!(first_line, format!("Open this page to pay: {url}"));
    pay(&sandbox, url.rsplit('/').next().unwrap()).await;
    let out = tokio::task::spawn_blocking(move || resumed.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let rest = rest.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?} {rest:?}");
    assert_eq!(json_of(&out)["outcome"], "landed");

    // Every retry of the account's read cut off: the code says so.
    assert_eq!(
        admin_send(
            &sandbox,
            reqwest::Method::PUT,
            "/faults",
            serde_json::json!({"rules": [{"path": "/api/v1/users/*", "method": "GET", "kind": "truncated"}]})
        )
        .await,
        200
    );
    let out = run(config.path(), &["--json", "balance"]);
    assert_eq!(out.status.code(), Some(1));
    let error = &json_of(&out)["error"];
    assert_eq!(error["code"], "connection_dropped", "{error}");
    assert!(error["message"].as_str().unwrap().contains("broke off"));
    sandbox.shutdown().await;
}

/// Answers every request with a `latest.json` announcing `version`, counting them.
async fn manifest_server(
    version: &str,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/latest.json", listener.local_addr().unwrap());
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let body =
        serde_json::json!({"version": version, "notes": "Faster", "platforms": {}}).to_string();
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    (url, hits)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn a_newer_version_is_hinted_once_a_day_to_a_person_never_to_a_script() {
    use std::sync::atomic::Ordering::SeqCst;
    let (url, hits) = manifest_server("9.9.9").await;
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("preferences.json"),
        serde_json::json!({ "update_endpoint": url }).to_string(),
    )
    .unwrap();
    let hint = format!(
        "Topup 9.9.9 is available (this is {})",
        env!("CARGO_PKG_VERSION")
    );

    // A script: --json, or stderr going to a log. Nothing asked, nothing said.
    for args in [&["--json", "accounts"][..], &["accounts"][..]] {
        let out = run(config.path(), args);
        assert!(out.status.success(), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("is available"));
    }
    assert_eq!(hits.load(SeqCst), 0);

    // A person at a terminal: one line after the command's output.
    let mut p =
        rexpect::session::spawn_command(cli(config.path(), &["accounts"]), Some(20_000)).unwrap();
    p.exp_string("No accounts yet").unwrap();
    p.exp_string(&hint).unwrap();
    p.exp_eof().unwrap();
    assert_eq!(hits.load(SeqCst), 1);

    // The same day again: not asked, not said.
    let mut p =
        rexpect::session::spawn_command(cli(config.path(), &["accounts"]), Some(20_000)).unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(
        rest.contains("No accounts yet") && !rest.contains("is available"),
        "{rest}"
    );
    assert_eq!(hits.load(SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e`"]
async fn balance_all_forecasts_from_deductions_and_alert_sets_shows_and_turns_off() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    add_account(config.path(), &sandbox);
    login_with_token(config.path(), &sandbox).await;
    // A week of use, a deduction every ten minutes. The forecast reads the
    // newest 99 (one answer, never the whole history): 265 credits over the
    // last 16.5 hours, about 385 a day; 1,000 credits last about 3 days.
    seed_history(&sandbox, 1008).await;
    let set = run(config.path(), &["alert", "set", "500"]);
    assert!(set.status.success(), "{set:?}");
    assert_eq!(
        String::from_utf8_lossy(&set.stdout).lines().next(),
        Some("Clara · demo@topup.test: alert when the balance falls under 500 credits.")
    );

    let all = run(config.path(), &["balance", "--all"]);
    assert!(all.status.success(), "{all:?}");
    assert_eq!(
        String::from_utf8_lossy(&all.stdout),
        "Clara · demo@topup.test — 1,000 credits\n  At your pace of the last 16 hours, about 3 days left.\n  Alert under 500 credits.\n"
    );
    let shown = run(config.path(), &["--json", "alert", "show"]);
    let standing = json_of(&shown);
    assert_eq!(standing["threshold"], "500");
    assert_eq!(standing["low"], false);
    // 265 credits over 16.5 hours and the seconds since the rows were made.
    assert!(standing["forecast"]["per_day"]
        .as_str()
        .unwrap()
        .starts_with("385."));
    assert_eq!(standing["forecast"]["days_left"], 3);
    assert_eq!(standing["suggested_threshold"], "2000");

    let refused = run(config.path(), &["--json", "alert", "set", "lots"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(json_of(&refused)["error"]["code"], "invalid_setting");
    let off = run(config.path(), &["alert", "off"]);
    assert!(off.status.success(), "{off:?}");
    assert_eq!(
        String::from_utf8_lossy(&off.stdout).lines().next(),
        Some("Clara · demo@topup.test: no low-balance alert.")
    );
    sandbox.shutdown().await;
}

/// Certificates that cannot be loaded (the store pointed at missing files)
/// are named as what failed, with what to check, and not blamed on a
/// service: nothing was sent anywhere.
#[test]
#[ignore = "needs the Secret Service: run `make e2e`"]
fn certificates_that_cannot_be_loaded_are_named_not_blamed_on_the_service() {
    let config = tempfile::tempdir().unwrap();
    let missing = config.path().join("no-such-certificates");
    let out = cli(config.path(), &["--json", "accounts"])
        .env("SSL_CERT_FILE", missing.join("ca.pem"))
        .env("SSL_CERT_DIR", &missing)
        .stdin(Stdio::null())
        .output()
        .expect("topup-cli runs");
    assert_eq!(out.status.code(), Some(1));
    let error = &json_of(&out)["error"];
    assert_eq!(error["code"], "certificates_unavailable", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("certificates this computer trusts") && message.contains("SSL_CERT_FILE"),
        "{message}"
    );
}
