//! The e2e suite's "system browser". The profile's `browser.sh` (what
//! `xdg-open` runs) records each URL and hands it here with the test's plan:
//!
//! - `pay <card number>`: open the checkout page in headless Chromium, type
//!   the card, an expiry, a CVC and a name, press Pay, and report `paid` or
//!   `declined: <the page's message>`;
//! - `visit`: open the page and report its main heading.
//!
//! Each outcome is appended as one line to the results file, which the tests
//! wait on. Chromium runs through Debian's ChromeDriver with a fresh profile.
//!
//! Usage: `topup-test-browser <results file> <url> <plan…>`

use std::fs::OpenOptions;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::Command;
use tokio::time::sleep;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [results, url, plan @ ..] = args.as_slice() else {
        eprintln!("usage: topup-test-browser <results file> <url> <plan…>");
        std::process::exit(2);
    };
    let line = match run(url, plan).await {
        Ok(outcome) => outcome,
        Err(e) => format!("error: {e}"),
    };
    eprintln!("{url}: {line}");
    let written = OpenOptions::new()
        .create(true)
        .append(true)
        .open(results)
        .and_then(|mut f| writeln!(f, "{line}"));
    if let Err(e) = written {
        eprintln!("cannot write {results}: {e}");
        std::process::exit(1);
    }
}

async fn run(url: &str, plan: &[String]) -> Result<String> {
    let port = {
        let l = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        l.local_addr()?.port()
    };
    let mut driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start chromedriver (run `make setup`): {e}"))?;
    let started = Instant::now();
    while tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .await
        .is_err()
    {
        if started.elapsed() > DEADLINE {
            return Err("chromedriver never listened".into());
        }
        sleep(POLL).await;
    }
    let profile =
        std::env::temp_dir().join(format!("topup-chromium-{}-{port}", std::process::id()));
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let serde_json::Value::Object(caps) = caps else {
        return Err("capabilities are not an object".into());
    };
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await?;
    let outcome = act(&client, url, plan).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    let _ = std::fs::remove_dir_all(&profile);
    outcome
}

async fn act(client: &Client, url: &str, plan: &[String]) -> Result<String> {
    client.goto(url).await?;
    match plan.first().map(String::as_str) {
        Some("pay") => {
            let card = plan.get(1).ok_or("pay needs a card number")?;
            pay(client, card).await
        }
        Some("visit") | None => {
            let heading = client.find(Locator::Css("h1")).await?.text().await?;
            Ok(format!("visited: {heading}"))
        }
        Some(other) => Err(format!("unknown plan “{other}”").into()),
    }
}

async fn pay(client: &Client, card: &str) -> Result<String> {
    let checkout = client.current_url().await?;
    let email = client.find(Locator::Id("email")).await?;
    if email.prop("value").await?.unwrap_or_default().is_empty() {
        email.send_keys("payer@topup.test").await?;
    }
    for (field, text) in [
        ("card_number", card),
        ("expiry", "12 / 34"),
        ("cvc", "123"),
        ("name", "Topup Test"),
    ] {
        client
            .find(Locator::Id(field))
            .await?
            .send_keys(text)
            .await?;
    }
    client.find(Locator::Id("pay")).await?.click().await?;
    // Paid: the page leaves the checkout (to the success URL) or says so.
    // Declined: the checkout comes back with the card's error.
    let started = Instant::now();
    loop {
        if let Ok(error) = client.find(Locator::Id("card-error")).await {
            return Ok(format!("declined: {}", error.text().await?));
        }
        if let Ok(status) = client.find(Locator::Id("status")).await {
            let text = status.text().await?;
            return Ok(if text == "Payment complete" {
                "paid".into()
            } else {
                format!("closed: {text}")
            });
        }
        if client.current_url().await? != checkout {
            return Ok("paid".into());
        }
        if started.elapsed() > DEADLINE {
            return Err("the checkout page never answered the payment".into());
        }
        sleep(POLL).await;
    }
}
